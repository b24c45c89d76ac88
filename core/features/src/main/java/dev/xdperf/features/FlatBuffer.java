package dev.xdperf.features;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Just enough of the FlatBuffers binary format to write Arrow's IPC metadata (Schema,
 * RecordBatch, Message). Unlike the official builder it lays the buffer out front to back:
 * the root table first, every child after its parent, so every offset points forward as
 * the format requires, and a table's vtable sits right before it.
 */
final class FlatBuffer {
    /** Something an offset can point to. */
    sealed interface Node permits Table, Str, Vec, Structs {}

    /** A table; field i of {@code slots} is the field with id i (null: absent). */
    static final class Table implements Node {
        final List<Object> slots = new ArrayList<>();

        Table set(int id, Object value) {
            while (slots.size() <= id) {
                slots.add(null);
            }
            slots.set(id, value);
            return this;
        }

        Table i8(int id, int v) {
            return set(id, new Scalar(1, v));
        }

        Table i16(int id, int v) {
            return set(id, new Scalar(2, v));
        }

        Table i32(int id, int v) {
            return set(id, new Scalar(4, v));
        }

        Table i64(int id, long v) {
            return set(id, new Scalar(8, v));
        }

        Table ref(int id, Node n) {
            return set(id, n);
        }
    }

    record Scalar(int size, long value) {}

    record Str(String value) implements Node {}

    /** A vector of offsets (tables or strings). */
    record Vec(List<Node> items) implements Node {}

    /** A vector of structs whose bytes are given, little-endian, each 8-byte aligned. */
    record Structs(int count, byte[] bytes) implements Node {}

    private ByteBuffer buf = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);

    private record Pending(int at, Node node) {}

    private FlatBuffer() {}

    /** The bytes of a buffer whose root is {@code root}, padded to 8 bytes. */
    static byte[] encode(Table root) {
        FlatBuffer fb = new FlatBuffer();
        Deque<Pending> todo = new ArrayDeque<>();
        fb.buf.putInt(0);
        todo.add(new Pending(0, root));
        while (!todo.isEmpty()) {
            Pending p = todo.poll();
            int at = fb.write(p.node, todo);
            fb.buf.putInt(p.at, at - p.at);
        }
        fb.align(8);
        return Arrays.copyOf(fb.buf.array(), fb.buf.position());
    }

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer b = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n + 64)).order(ByteOrder.LITTLE_ENDIAN);
            buf.flip();
            b.put(buf);
            buf = b;
        }
    }

    private void align(int a) {
        while (buf.position() % a != 0) {
            ensure(1);
            buf.put((byte) 0);
        }
    }

    private int write(Node n, Deque<Pending> todo) {
        if (n instanceof Str s) {
            byte[] b = s.value.getBytes(StandardCharsets.UTF_8);
            align(4);
            ensure(5 + b.length);
            int at = buf.position();
            buf.putInt(b.length).put(b).put((byte) 0);
            return at;
        }
        if (n instanceof Vec v) {
            align(4);
            ensure(4 + 4 * v.items.size());
            int at = buf.position();
            buf.putInt(v.items.size());
            for (Node item : v.items) {
                todo.add(new Pending(buf.position(), item));
                buf.putInt(0);
            }
            return at;
        }
        if (n instanceof Structs s) {
            while (buf.position() % 8 != 4) {
                ensure(1);
                buf.put((byte) 0);
            }
            ensure(4 + s.bytes.length);
            int at = buf.position();
            buf.putInt(s.count).put(s.bytes);
            return at;
        }
        return writeTable((Table) n, todo);
    }

    private int writeTable(Table t, Deque<Pending> todo) {
        int fields = t.slots.size();
        int[] offset = new int[fields];
        int[] size = new int[fields];
        for (int i = 0; i < fields; i++) {
            Object s = t.slots.get(i);
            size[i] = s == null ? 0 : s instanceof Scalar sc ? sc.size : 4;
        }
        // Inline layout: the vtable offset first, then the fields, largest first, each aligned.
        int cursor = 4;
        for (int width : new int[] {8, 4, 2, 1}) {
            for (int i = 0; i < fields; i++) {
                if (size[i] == width) {
                    cursor = (cursor + width - 1) / width * width;
                    offset[i] = cursor;
                    cursor += width;
                }
            }
        }
        int tableSize = (cursor + 3) / 4 * 4;
        align(2);
        ensure(4 + 2 * fields + 8 + tableSize);
        int vtable = buf.position();
        buf.putShort((short) (4 + 2 * fields)).putShort((short) tableSize);
        for (int i = 0; i < fields; i++) {
            buf.putShort((short) (size[i] == 0 ? 0 : offset[i]));
        }
        align(8);
        ensure(tableSize);
        int table = buf.position();
        buf.putInt(table - vtable);
        for (int i = 0; i < tableSize - 4; i++) {
            buf.put((byte) 0);
        }
        for (int i = 0; i < fields; i++) {
            Object s = t.slots.get(i);
            if (s instanceof Scalar sc) {
                int at = table + offset[i];
                switch (sc.size) {
                    case 1 -> buf.put(at, (byte) sc.value);
                    case 2 -> buf.putShort(at, (short) sc.value);
                    case 4 -> buf.putInt(at, (int) sc.value);
                    default -> buf.putLong(at, sc.value);
                }
            } else if (s instanceof Node child) {
                todo.add(new Pending(table + offset[i], child));
            }
        }
        return table;
    }
}
