/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/inet.h: internet socket structures as the x86-64 guest sees them
 * (include/uapi/linux/in.h, in6.h, tcp.h). Protocol numbers and option
 * names come from the spec (gen/netopts.h, spec/netopts.yaml).
 *
 * Guest ABI only: fixed-width types and no host includes. Addresses and
 * ports are in network byte order, as in the guest's memory.
 */
#ifndef CVISOR_ABI_INET_H
#define CVISOR_ABI_INET_H

#include <stdint.h>

#define LINUX_IPPROTO_IP 0
#define LINUX_IPPROTO_ICMP 1
#define LINUX_IPPROTO_TCP 6
#define LINUX_IPPROTO_UDP 17
#define LINUX_IPPROTO_IPV6 41
#define LINUX_IPPROTO_ICMPV6 58
#define LINUX_IPPROTO_UDPLITE 136
#define LINUX_IPPROTO_MPTCP 262

struct linux_sockaddr_in {
	uint16_t sin_family;
	uint16_t sin_port;
	uint32_t sin_addr;
	uint8_t sin_zero[8];
};

struct linux_sockaddr_in6 {
	uint16_t sin6_family;
	uint16_t sin6_port;
	uint32_t sin6_flowinfo;
	uint8_t sin6_addr[16];
	uint32_t sin6_scope_id;
};

/* The shortest sockaddr_in6 Linux takes (SIN6_LEN_RFC2133: no scope). */
#define LINUX_SIN6_LEN_RFC2133 24

/* struct in_pktinfo, struct in6_pktinfo (IP_PKTINFO, IPV6_PKTINFO) */
struct linux_in_pktinfo {
	int32_t ifindex;
	uint32_t spec_dst;
	uint32_t addr;
};

struct linux_in6_pktinfo {
	uint8_t addr[16];
	int32_t ifindex;
};

/* TCP states as /proc/net/tcp and TCP_INFO number them. */
enum linux_tcp_state {
	LINUX_TCP_ESTABLISHED = 1,
	LINUX_TCP_SYN_SENT,
	LINUX_TCP_SYN_RECV,
	LINUX_TCP_FIN_WAIT1,
	LINUX_TCP_FIN_WAIT2,
	LINUX_TCP_TIME_WAIT,
	LINUX_TCP_CLOSE,
	LINUX_TCP_CLOSE_WAIT,
	LINUX_TCP_LAST_ACK,
	LINUX_TCP_LISTEN,
	LINUX_TCP_CLOSING,
};

/* struct tcp_info, up to tcpi_snd_wnd (Linux 6.x; 232 bytes). */
struct linux_tcp_info {
	uint8_t state, ca_state, retransmits, probes, backoff, options;
	uint8_t wscale; /* snd_wscale:4, rcv_wscale:4 */
	uint8_t flags; /* delivery_rate_app_limited:1, fastopen_client_fail:2 */
	uint32_t rto, ato, snd_mss, rcv_mss;
	uint32_t unacked, sacked, lost, retrans, fackets;
	uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
	uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd;
	uint32_t advmss, reordering;
	uint32_t rcv_rtt, rcv_space;
	uint32_t total_retrans;
	uint64_t pacing_rate, max_pacing_rate;
	uint64_t bytes_acked, bytes_received;
	uint32_t segs_out, segs_in;
	uint32_t notsent_bytes, min_rtt;
	uint32_t data_segs_in, data_segs_out;
	uint64_t delivery_rate;
	uint64_t busy_time, rwnd_limited, sndbuf_limited;
	uint32_t delivered, delivered_ce;
	uint64_t bytes_sent, bytes_retrans;
	uint32_t dsack_dups, reord_seen;
	uint32_t rcv_ooopack;
	uint32_t snd_wnd;
} __attribute__((aligned(8)));

#endif
