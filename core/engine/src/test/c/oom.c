#include "extism.h"
VERSION_EXPORT
DESCRIBE("{\"id\":\"oom\",\"version\":\"0.0.1\",\"abi\":\"1.0\"}")
/* Grows memory until the host refuses, then uses what it wanted: an out-of-bounds access. */
EXPORT("generate") int generate(void) {
	unsigned long pages = 0;
	while (__builtin_wasm_memory_grow(0, 256) != (unsigned long)-1) pages += 256;
	volatile u8 *past = (u8 *)(__builtin_wasm_memory_size(0) * 65536);
	*past = 1;
	return (int)pages;
}
