package dev.xdperf.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ethtool -S as veth and real drivers print it: the one parser every reader of device counters uses. */
class EthtoolStatsTest {
    @Test
    void numericCountersByNameInTheDriversOrder() {
        Map<String, Long> m = EthtoolStats.parse("""
                NIC statistics:
                     peer_ifindex: 7
                     rx_queue_0_xdp_packets: 1200
                     tx_queue_0_xdp_xmit: 998
                     tx_queue_0_xdp_xmit_errors: 2
                     rx_queue_1_xdp_packets: 34
                     link_state: up
                """);
        assertEquals(List.of("peer_ifindex", "rx_queue_0_xdp_packets", "tx_queue_0_xdp_xmit", "tx_queue_0_xdp_xmit_errors",
                "rx_queue_1_xdp_packets"), List.copyOf(m.keySet()));
        assertEquals(998L, m.get("tx_queue_0_xdp_xmit"));
        assertEquals(2L, m.get("tx_queue_0_xdp_xmit_errors"));
    }
}
