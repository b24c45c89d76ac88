// SPDX-License-Identifier: GPL-2.0
/*
 * The ceiling of BPF_PROG_RUN live frames: a minimal sender that runs xdp_ceiling
 * (XDP_TX, frame untouched) over one fixed Ethernet/IPv4/UDP frame, one thread per CPU,
 * until the requested time has passed. It prints {"sent": N, "seconds": S, "pps": P,
 * "threads": [...]}, per thread: frames, calls, the kernel's ns per frame inside its loop,
 * and the average and longest gap per call: the call's wall time outside the kernel's
 * frame loop (setup, the page-pool teardown at the end, and any time the thread was
 * preempted, which the kernel leaves out of its loop time).
 *
 * "sent" is what the kernel was asked to transmit (repeat x completed calls). Live frames
 * report success even when frames vanish on the way out, so the benchmark measures the
 * rate at the receiver (bench/run.sh); this number is only the sender's view.
 *
 * Build: cc -O2 -Wall -o sender sender.c -lbpf -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_FRAME 1514
#define MIN_FRAME 42 /* Ethernet 14 + IPv4 20 + UDP 8 */

static struct {
	const char *ifname;
	const char *obj;
	int cpu;
	int threads;
	double seconds;
	int size; /* on the wire, with the 4-byte FCS */
	int repeat;
	int batch;
	uint8_t src_mac[6], dst_mac[6];
	struct in_addr src_ip, dst_ip;
	uint16_t src_port, dst_port;
} cfg = {
	.cpu = 1, .threads = 1, .seconds = 5, .size = 64,
	.repeat = 4000000, .batch = 64,
	.src_port = 9, .dst_port = 9,
};

static int prog_fd;
static int ifindex;
static uint8_t frame[MAX_FRAME];
static int frame_len;
static volatile sig_atomic_t stop;
static struct timespec deadline;

struct worker {
	pthread_t tid;
	int cpu;
	uint64_t sent;
	uint64_t calls;
	double busy_s;      /* time inside the kernel's loop: repeat x reported ns/frame */
	double gap_s;       /* wall time of the calls minus busy_s: setup, teardown, preemption */
	double max_gap_s;
	int err;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sender --ifname IF [--cpu N] [--threads T] [--seconds S] [--size BYTES]\n"
		"              [--repeat R] [--batch B] [--obj ceiling.bpf.o]\n"
		"              [--src-mac MAC] [--dst-mac MAC] [--src-ip IP] [--dst-ip IP]\n"
		"  Thread i runs on CPU (cpu + i). BYTES is the frame size on the wire (FCS\n"
		"  included), so the frame handed to the kernel is BYTES - 4 long.\n");
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = b[i];
	}
	return 0;
}

static long parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "sender: %s: expected an integer in [%ld, %ld], got '%s'\n",
			opt, min, max, s);
		exit(2);
	}
	return v;
}

static uint16_t csum16(const void *data, int len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (int i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void build_frame(void)
{
	uint8_t *p = frame;
	int ip_len = frame_len - 14;
	int udp_len = ip_len - 20;
	uint16_t c;

	memset(frame, 0, sizeof(frame));
	/* Ethernet */
	memcpy(p, cfg.dst_mac, 6);
	memcpy(p + 6, cfg.src_mac, 6);
	p[12] = 0x08; p[13] = 0x00;
	/* IPv4 */
	p += 14;
	p[0] = 0x45;
	p[2] = ip_len >> 8; p[3] = ip_len & 0xff;
	p[6] = 0x40;            /* don't fragment */
	p[8] = 64;              /* ttl */
	p[9] = 17;              /* UDP */
	memcpy(p + 12, &cfg.src_ip, 4);
	memcpy(p + 16, &cfg.dst_ip, 4);
	c = csum16(p, 20);
	p[10] = c >> 8; p[11] = c & 0xff;
	/* UDP, checksum 0 (none) */
	p += 20;
	p[0] = cfg.src_port >> 8; p[1] = cfg.src_port & 0xff;
	p[2] = cfg.dst_port >> 8; p[3] = cfg.dst_port & 0xff;
	p[4] = udp_len >> 8; p[5] = udp_len & 0xff;
	/* payload: zeros */
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int past_deadline(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec > deadline.tv_sec ||
	       (ts.tv_sec == deadline.tv_sec && ts.tv_nsec >= deadline.tv_nsec);
}

static void *run_worker(void *arg)
{
	struct worker *w = arg;
	struct xdp_md ctx = {
		.data_end = frame_len,
		.ingress_ifindex = ifindex,
	};
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (err) {
		fprintf(stderr, "sender: pinning to CPU %d: %s\n", w->cpu, strerror(err));
		w->err = err;
		return NULL;
	}

	while (!stop && !past_deadline()) {
		/* Set every field again: the kernel writes back retval and duration. sz must be
		 * the full struct (80 bytes): with a smaller sz the kernel ignores flags, runs a
		 * plain test run and sends nothing. */
		struct bpf_test_run_opts opts = {
			.sz = sizeof(struct bpf_test_run_opts),
			.data_in = frame,
			.data_size_in = frame_len,
			.ctx_in = &ctx,
			.ctx_size_in = sizeof(ctx),
			.repeat = cfg.repeat,
			.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			.batch_size = cfg.batch,
		};

		double t0 = now_s(), wall, busy;

		err = bpf_prog_test_run_opts(prog_fd, &opts);
		wall = now_s() - t0;
		if (err) {
			if (stop && (err == -EINTR || errno == EINTR))
				break; /* interrupted mid-call: its count is unknown, leave it out */
			fprintf(stderr, "sender: BPF_PROG_RUN on CPU %d: %s\n", w->cpu,
				strerror(errno ? errno : -err));
			w->err = errno ? errno : -err;
			return NULL;
		}
		w->sent += (uint64_t)cfg.repeat;
		w->calls++;
		busy = (double)opts.duration * cfg.repeat / 1e9;
		if (busy > wall)
			busy = wall;
		w->busy_s += busy;
		w->gap_s += wall - busy;
		if (wall - busy > w->max_gap_s)
			w->max_gap_s = wall - busy;
	}
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *default_obj(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return "ceiling.bpf.o";
	exe[n] = 0;
	snprintf(path, sizeof(path), "%s/ceiling.bpf.o", dirname(exe));
	return path;
}

int main(int argc, char **argv)
{
	enum { O_SRC_MAC = 256, O_DST_MAC, O_SRC_IP, O_DST_IP, O_OBJ, O_REPEAT, O_BATCH };
	static const struct option longopts[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'b' },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "obj", required_argument, NULL, O_OBJ },
		{ "src-mac", required_argument, NULL, O_SRC_MAC },
		{ "dst-mac", required_argument, NULL, O_DST_MAC },
		{ "src-ip", required_argument, NULL, O_SRC_IP },
		{ "dst-ip", required_argument, NULL, O_DST_IP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct worker *workers;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t sent = 0;
	double start, elapsed;
	int opt, failed = 0;
	char *end;

	inet_pton(AF_INET, "198.18.0.1", &cfg.src_ip);
	inet_pton(AF_INET, "198.18.0.2", &cfg.dst_ip);

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i': cfg.ifname = optarg; break;
		case 'c': cfg.cpu = parse_long("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		case 't': cfg.threads = parse_long("--threads", optarg, 1, 1024); break;
		case 's':
			cfg.seconds = strtod(optarg, &end);
			if (*end || cfg.seconds <= 0) {
				fprintf(stderr, "sender: --seconds: expected a positive number, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'b': cfg.size = parse_long("--size", optarg, MIN_FRAME + 4, MAX_FRAME + 4); break;
		case O_REPEAT: cfg.repeat = parse_long("--repeat", optarg, 1, INT_MAX); break;
		case O_BATCH: cfg.batch = parse_long("--batch", optarg, 1, 256); break;
		case O_OBJ: cfg.obj = optarg; break;
		case O_SRC_MAC:
		case O_DST_MAC:
			if (parse_mac(optarg, opt == O_SRC_MAC ? cfg.src_mac : cfg.dst_mac)) {
				fprintf(stderr, "sender: bad MAC address '%s'\n", optarg);
				return 2;
			}
			break;
		case O_SRC_IP:
		case O_DST_IP:
			if (inet_pton(AF_INET, optarg, opt == O_SRC_IP ? &cfg.src_ip : &cfg.dst_ip) != 1) {
				fprintf(stderr, "sender: bad IPv4 address '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!cfg.ifname || optind != argc) {
		usage(stderr);
		return 2;
	}
	ifindex = if_nametoindex(cfg.ifname);
	if (!ifindex) {
		fprintf(stderr, "sender: interface %s: %s\n", cfg.ifname, strerror(errno));
		return 1;
	}
	if (!cfg.obj)
		cfg.obj = default_obj();

	frame_len = cfg.size - 4;
	build_frame();

	obj = bpf_object__open_file(cfg.obj, NULL);
	if (!obj) {
		fprintf(stderr, "sender: opening %s: %s\n", cfg.obj, strerror(errno));
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "sender: loading %s: %s\n", cfg.obj, strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "xdp_ceiling");
	if (!prog) {
		fprintf(stderr, "sender: %s has no program xdp_ceiling\n", cfg.obj);
		return 1;
	}
	prog_fd = bpf_program__fd(prog);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	workers = calloc(cfg.threads, sizeof(*workers));
	if (!workers)
		return 1;
	start = now_s();
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)cfg.seconds;
	deadline.tv_nsec += (long)((cfg.seconds - (time_t)cfg.seconds) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (int i = 0; i < cfg.threads; i++) {
		workers[i].cpu = cfg.cpu + i;
		if (pthread_create(&workers[i].tid, NULL, run_worker, &workers[i])) {
			fprintf(stderr, "sender: cannot start thread %d\n", i);
			stop = 1;
			cfg.threads = i;
			failed = 1;
			break;
		}
	}
	for (int i = 0; i < cfg.threads; i++) {
		pthread_join(workers[i].tid, NULL);
		sent += workers[i].sent;
		failed |= workers[i].err != 0;
	}
	elapsed = now_s() - start;

	printf("{\"sent\": %llu, \"seconds\": %.3f, \"pps\": %.0f, \"threads\": [",
	       (unsigned long long)sent, elapsed, sent / elapsed);
	for (int i = 0; i < cfg.threads; i++) {
		struct worker *w = &workers[i];

		printf("%s{\"cpu\": %d, \"sent\": %llu, \"calls\": %llu, \"ns_per_frame\": %.1f, "
		       "\"gap_ms_avg\": %.1f, \"gap_ms_max\": %.1f}",
		       i ? ", " : "", w->cpu, (unsigned long long)w->sent,
		       (unsigned long long)w->calls, w->sent ? w->busy_s * 1e9 / w->sent : 0.0,
		       w->calls ? w->gap_s * 1e3 / w->calls : 0.0, w->max_gap_s * 1e3);
	}
	printf("]}\n");
	bpf_object__close(obj);
	free(workers);
	return failed ? 1 : 0;
}
