/*
 * The Extism kernel functions a plugin imports from "extism:host/env". Offsets and lengths
 * are u64 handles into Extism's own memory, not pointers into the plugin's linear memory;
 * single bytes travel as i32. Only wasm builds include this header.
 *
 * Copyright the xdperf authors. Licensed under the Apache License, Version 2.0.
 */
#ifndef XDPERF_EXTISM_H
#define XDPERF_EXTISM_H

#include <stdint.h>

#define XD_EXTISM_IMPORT(name) __attribute__((import_module("extism:host/env"), import_name(name)))

typedef uint64_t extism_handle;

XD_EXTISM_IMPORT("input_length") uint64_t extism_input_length(void);
XD_EXTISM_IMPORT("input_load_u8") uint32_t extism_input_load_u8(extism_handle offset);
XD_EXTISM_IMPORT("input_load_u64") uint64_t extism_input_load_u64(extism_handle offset);
XD_EXTISM_IMPORT("alloc") extism_handle extism_alloc(uint64_t length);
XD_EXTISM_IMPORT("length") uint64_t extism_length(extism_handle offset);
XD_EXTISM_IMPORT("store_u8") void extism_store_u8(extism_handle offset, uint32_t byte);
XD_EXTISM_IMPORT("store_u64") void extism_store_u64(extism_handle offset, uint64_t value);
XD_EXTISM_IMPORT("output_set") void extism_output_set(extism_handle offset, uint64_t length);
XD_EXTISM_IMPORT("error_set") void extism_error_set(extism_handle offset);

#endif
