//go:build wasip1 && !tinygo && go1.24

package xdperf

// The exports of an xdperf plugin built with Go 1.24 or newer
// (GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared).

//go:wasmexport xdperf_abi_version
func exportAbiVersion() int32 { return AbiVersion() }

//go:wasmexport describe
func exportDescribe() int32 { return runDescribe() }

//go:wasmexport generate
func exportGenerate() int32 { return runGenerate() }
