#include "extism.h"
VERSION_EXPORT
DESCRIBE("{\"id\":\"oob\",\"version\":\"0.0.1\",\"abi\":\"1.0\"}")
/* Writes past the end of its memory with plenty of the cap left: a bad pointer, not a full memory. */
EXPORT("generate") int generate(void) {
	volatile u8 *past = (u8 *)(__builtin_wasm_memory_size(0) * 65536 + 4096);
	*past = 1;
	return 0;
}
