#define ABI ((2 << 16) | 0)
#include "extism.h"
VERSION_EXPORT
DESCRIBE("{\"id\":\"abi2\",\"version\":\"0.0.1\",\"abi\":\"2.0\"}")
EXPORT("generate") int generate(void) { return 0; }
