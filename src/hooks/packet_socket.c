/* packet_socket.c - live capture from an AF_PACKET socket; the packets are filtered in user space, not in the kernel */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/log_internal.h"
#include "hooks/packet_socket.h"

struct pktsock {
	int fd;
	int ifindex;
	struct bpfvm_log *log;
	uint8_t buf[65536 + 64];
};

struct pktsock *pktsock_open(const char *iface, struct bpfvm_log *log)
{
	struct pktsock *s = calloc(1, sizeof(*s));
	if (!s) {
		bpfvm_logf(log, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	s->log = log;
	s->ifindex = (int)if_nametoindex(iface);
	if (!s->ifindex) {
		bpfvm_logf(log, "%s: no such interface", iface);
		free(s);
		errno = ENODEV;
		return NULL;
	}
	s->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (s->fd < 0) {
		int e = errno;
		bpfvm_logf(log, "%s: socket(AF_PACKET): %s", iface, strerror(e));
		free(s);
		errno = e;
		return NULL;
	}
	int one = 1;
	setsockopt(s->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = s->ifindex };
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int e = errno;
		bpfvm_logf(log, "%s: bind: %s", iface, strerror(e));
		close(s->fd);
		free(s);
		errno = e;
		return NULL;
	}
	return s;
}

int pktsock_next(struct pktsock *s, struct cbpf_skb *skb, int64_t *ts_sec, int64_t *ts_usec, int timeout_ms)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	int n = poll(&pfd, 1, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		bpfvm_logf(s->log, "poll: %s", strerror(errno));
		return -errno;
	}
	if (n == 0)
		return 0;
	struct sockaddr_ll from;
	char cbuf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct iovec iov = { .iov_base = s->buf, .iov_len = sizeof(s->buf) };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t got = recvmsg(s->fd, &msg, MSG_TRUNC);
	if (got < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		bpfvm_logf(s->log, "recvmsg: %s", strerror(errno));
		return -errno;
	}
	uint32_t len = (uint32_t)got, caplen = len < sizeof(s->buf) ? len : (uint32_t)sizeof(s->buf);
	cbpf_skb_init(skb, 1 /* DLT_EN10MB */, s->buf, caplen, len);
	skb->has_meta = 1;
	skb->protocol = from.sll_protocol;
	skb->pkttype = from.sll_pkttype;
	skb->ifindex = (uint32_t)from.sll_ifindex;
	skb->hatype = from.sll_hatype;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
			continue;
		struct tpacket_auxdata aux;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		if (aux.tp_status & TP_STATUS_VLAN_VALID) {
			skb->vlan_present = 1;
			skb->vlan_tci = aux.tp_vlan_tci;
			skb->vlan_proto = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? htons(aux.tp_vlan_tpid)
										  : htons(ETH_P_8021Q);
		}
	}
	struct timeval tv;
	gettimeofday(&tv, NULL);
	*ts_sec = tv.tv_sec;
	*ts_usec = tv.tv_usec;
	return 1;
}

void pktsock_close(struct pktsock *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}
