#include "extism.h"
VERSION_EXPORT
DESCRIBE("{\"id\":\"refuse\",\"version\":\"0.0.1\",\"abi\":\"1.0\"}")
EXPORT("generate") int generate(void) { fail("no IPv6 address to send from"); return 1; }
