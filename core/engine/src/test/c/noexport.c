#include "extism.h"
VERSION_EXPORT
DESCRIBE("{\"id\":\"noexport\",\"version\":\"0.0.1\",\"abi\":\"1.0\"}")
