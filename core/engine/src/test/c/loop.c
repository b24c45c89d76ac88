#include "extism.h"
VERSION_EXPORT
DESCRIBE("{\"id\":\"loop\",\"version\":\"0.0.1\",\"abi\":\"1.0\"}")
volatile u64 spins;
EXPORT("generate") int generate(void) { for (;;) spins++; }
