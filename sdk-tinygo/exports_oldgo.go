//go:build wasip1 && !tinygo && !go1.24

package xdperf

// Go before 1.24 cannot export functions from a WebAssembly module (no //go:wasmexport).
// This undefined name stops the build with a message that says what to do.
var _ = xdperf_plugins_need_TinyGo_or_Go_1_24_or_newer
