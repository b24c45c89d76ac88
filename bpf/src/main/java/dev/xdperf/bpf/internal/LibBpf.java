package dev.xdperf.bpf.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/** The part of libbpf 1.x that xdperf calls. Int results are 0 or a negative errno. */
public interface LibBpf {
    /** Pointer result: NULL with errno set on failure. */
    @SaveError
    Pointer bpf_object__open_mem(Pointer buf, long size, Pointer opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    /** The program after {@code prev} (NULL: the first); NULL after the last. */
    Pointer bpf_object__next_program(Pointer obj, Pointer prev);

    String bpf_program__name(Pointer prog);

    String bpf_program__section_name(Pointer prog);

    int bpf_program__type(Pointer prog);

    int bpf_program__set_autoload(Pointer prog, boolean autoload);

    /** Before load: the program's type (for section names libbpf no longer recognises). */
    int bpf_program__set_type(Pointer prog, int type);

    Pointer bpf_object__next_map(Pointer obj, Pointer prev);

    String bpf_map__name(Pointer map);

    /** The file the map is pinned at on load (LIBBPF_PIN_BY_NAME or set), or NULL. */
    String bpf_map__pin_path(Pointer map);

    /** For fentry/fexit/freplace: the BPF program (by fd) and its BTF function to attach to; before load. */
    int bpf_program__set_attach_target(Pointer prog, int attachProgFd, String attachFuncName);

    int bpf_program__fd(Pointer prog);

    int bpf_program__set_log_buf(Pointer prog, Pointer buf, long size);

    int bpf_program__set_log_level(Pointer prog, int level);

    int bpf_map__fd(Pointer map);

    int bpf_map__key_size(Pointer map);

    int bpf_map__value_size(Pointer map);

    int bpf_map__max_entries(Pointer map);

    int bpf_map__type(Pointer map);

    @SaveError
    int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

    @SaveError
    int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

    /** The key after {@code key} (NULL: the first); -1 with errno ENOENT after the last. */
    @SaveError
    int bpf_map_get_next_key(int fd, Pointer key, Pointer nextKey);

    @SaveError
    int bpf_map_delete_elem(int fd, Pointer key);

    /** A map made outside any object (the per-CPU ring buffers); the fd, or a negative errno. */
    int bpf_map_create(int mapType, String name, int keySize, int valueSize, int maxEntries, Pointer opts);

    /** Before load: the initial contents of an array map of one entry (.rodata, .data); libbpf copies them. */
    int bpf_map__set_initial_value(Pointer map, Pointer data, long size);

    /** Before load: the size of a map. */
    int bpf_map__set_max_entries(Pointer map, int maxEntries);

    int bpf_prog_test_run_opts(int progFd, Pointer opts);

    /** BPF_ENABLE_STATS: returns an fd that keeps the statistics on until it is closed, or a negative errno. */
    int bpf_enable_stats(int type);

    /** BPF_OBJ_GET: opens a pinned object; the fd, or a negative errno (libbpf 1.x). */
    @SaveError
    int bpf_obj_get(String pathname);

    /** BPF_OBJ_GET_INFO_BY_FD: fills {@code info} up to {@code *len} bytes and writes back the size the kernel used. */
    int bpf_obj_get_info_by_fd(int fd, Pointer info, Pointer len);

    /** Loads raw instructions; returns the program fd or a negative errno. */
    int bpf_prog_load(int progType, String name, String license, Pointer insns, long insnCnt, Pointer opts);

    int bpf_link_create(int progFd, int targetFd, int attachType, Pointer opts);

    int libbpf_num_possible_cpus();

    Pointer libbpf_set_print(Pointer fn);

    int libbpf_strerror(int err, Pointer buf, long size);
}
