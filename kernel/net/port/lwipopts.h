/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_LWIPOPTS_H
#define PLINTH_LWIPOPTS_H

/*
 * lwIP configuration for Plinth's own network interface (kernel/net/).
 * One thread on the service CPU owns the whole stack (NO_SYS: no lwIP
 * threads, no locking; interrupt handlers never call into lwIP), so
 * SYS_LIGHTWEIGHT_PROT is off. The buffers are sized for one or two bulk
 * TCP streams (the management agent's uploads) at full window.
 */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
/* The lease's DNS server is kept (dns_getserver); Plinth itself resolves nothing yet. */
#define LWIP_DNS 1
/* Probing the offered address costs seconds; the emulated and managed networks hand out unique ones. */
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_STATS 0
#define LWIP_TIMERS 1

#define MEM_ALIGNMENT 8
#define MEM_SIZE (1024 * 1024)
#define TCP_MSS 1460
#define TCP_WND (44 * TCP_MSS)
#define TCP_SND_BUF (44 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define MEMP_NUM_TCP_SEG (2 * TCP_SND_QUEUELEN)
#define MEMP_NUM_TCP_PCB 16
#define MEMP_NUM_TCP_PCB_LISTEN 8
#define MEMP_NUM_PBUF 128
#define PBUF_POOL_SIZE 256
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_SACK_OUT 0
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)

#endif
