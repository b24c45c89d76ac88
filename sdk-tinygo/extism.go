//go:build tinygo || wasip1

package xdperf

// The Extism kernel functions (module extism:host/env) this SDK uses. Values travel
// through the kernel's memory, addressed by 64-bit offsets; a u8 travels as an i32.

//go:wasmimport extism:host/env input_length
func extismInputLength() uint64

//go:wasmimport extism:host/env input_load_u8
func extismInputLoadU8(offset uint64) uint32

//go:wasmimport extism:host/env input_load_u64
func extismInputLoadU64(offset uint64) uint64

//go:wasmimport extism:host/env alloc
func extismAlloc(length uint64) uint64

//go:wasmimport extism:host/env free
func extismFree(offset uint64)

//go:wasmimport extism:host/env length
func extismLength(offset uint64) uint64

//go:wasmimport extism:host/env load_u8
func extismLoadU8(offset uint64) uint32

//go:wasmimport extism:host/env load_u64
func extismLoadU64(offset uint64) uint64

//go:wasmimport extism:host/env store_u8
func extismStoreU8(offset uint64, v uint32)

//go:wasmimport extism:host/env store_u64
func extismStoreU64(offset uint64, v uint64)

//go:wasmimport extism:host/env output_set
func extismOutputSet(offset uint64, length uint64)

//go:wasmimport extism:host/env error_set
func extismErrorSet(offset uint64)

//go:wasmimport extism:host/env log_info
func extismLogInfo(offset uint64)

//go:wasmimport extism:host/env log_warn
func extismLogWarn(offset uint64)

//go:wasmimport extism:host/env log_error
func extismLogError(offset uint64)

// Input returns the input of the current call (the run request for generate).
func Input() []byte {
	n := extismInputLength()
	buf := make([]byte, n)
	var i uint64
	for ; i+8 <= n; i += 8 {
		putLE64(buf[i:], extismInputLoadU64(i))
	}
	for ; i < n; i++ {
		buf[i] = byte(extismInputLoadU8(i))
	}
	return buf
}

// store copies b into a new block of Extism memory and returns its offset.
func store(b []byte) uint64 {
	n := uint64(len(b))
	off := extismAlloc(n)
	var i uint64
	for ; i+8 <= n; i += 8 {
		extismStoreU64(off+i, getLE64(b[i:]))
	}
	for ; i < n; i++ {
		extismStoreU8(off+i, uint32(b[i]))
	}
	return off
}

// load copies the block of Extism memory at off.
func load(off uint64) []byte {
	n := extismLength(off)
	buf := make([]byte, n)
	var i uint64
	for ; i+8 <= n; i += 8 {
		putLE64(buf[i:], extismLoadU64(off+i))
	}
	for ; i < n; i++ {
		buf[i] = byte(extismLoadU8(off + i))
	}
	return buf
}

// Output sets the output of the current call.
func Output(b []byte) {
	off := store(b)
	extismOutputSet(off, uint64(len(b)))
}

// SetError makes the current call fail with msg; the host reports it. The export must then
// return a non-zero value.
func SetError(msg string) {
	extismErrorSet(store([]byte(msg)))
}

// LogInfo, LogWarn and LogError write a line to the host's log.
func LogInfo(msg string)  { logWith(extismLogInfo, msg) }
func LogWarn(msg string)  { logWith(extismLogWarn, msg) }
func LogError(msg string) { logWith(extismLogError, msg) }

func logWith(f func(uint64), msg string) {
	off := store([]byte(msg))
	f(off)
	extismFree(off)
}

// runDescribe is the body of the describe export.
func runDescribe() int32 {
	out, err := HandleDescribe()
	if err != nil {
		SetError(err.Error())
		return 1
	}
	Output(out)
	return 0
}

// runGenerate is the body of the generate export.
func runGenerate() int32 {
	out, err := HandleGenerate(Input())
	if err != nil {
		SetError(err.Error())
		return 1
	}
	Output(out)
	return 0
}
