package dev.xdperf.packet;

/**
 * One frame for xdp_tx to stamp out: its bytes, where the measurement header sits (0 when
 * there is none) and which L4 checksum xdp_tx must fix after stamping it (0 when none).
 */
public record Template(byte[] frame, int streamId, int mhOffset, int csumOffset, boolean csumUdp) {
    public Template {
        if (frame.length < 14 || frame.length > 9216) {
            throw new IllegalArgumentException("template of " + frame.length + " bytes is outside 14..9216");
        }
        if (mhOffset < 0 || (mhOffset > 0 && mhOffset + MeasurementHeader.SIZE > frame.length)) {
            throw new IllegalArgumentException("measurement header at " + mhOffset + " does not fit in " + frame.length + " bytes");
        }
        if (csumOffset < 0 || csumOffset + 2 > frame.length) {
            throw new IllegalArgumentException("checksum offset " + csumOffset + " is outside the frame");
        }
        frame = frame.clone();
    }

    @Override
    public byte[] frame() {
        return frame.clone();
    }

    public int length() {
        return frame.length;
    }
}
