#include "extism.h"
VERSION_EXPORT
DESCRIBE("{\"id\":\"garbage\",\"version\":\"0.0.1\",\"abi\":\"1.0\"}")
EXPORT("generate") int generate(void) { output((const u8 *)"hello, host", 11); return 0; }
