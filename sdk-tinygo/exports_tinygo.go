//go:build tinygo

package xdperf

// The exports of an xdperf plugin built with TinyGo (which exports //export functions of
// any package). See exports_wasip1.go for Go 1.24+.

//export xdperf_abi_version
func exportAbiVersion() int32 { return AbiVersion() }

//export describe
func exportDescribe() int32 { return runDescribe() }

//export generate
func exportGenerate() int32 { return runGenerate() }
