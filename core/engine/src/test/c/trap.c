#include "extism.h"
VERSION_EXPORT
DESCRIBE("{\"id\":\"trap\",\"version\":\"0.0.1\",\"abi\":\"1.0\"}")
EXPORT("generate") int generate(void) { __builtin_trap(); }
