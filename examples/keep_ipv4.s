; keep_ipv4.s - a socket filter: keep IPv4 packets whole, drop the rest (verify with --type socket_filter)
	r0 = *(u32 *)(r1 +16)	; skb->protocol, in network byte order
	if r0 == 0x8 goto keep	; htons(ETH_P_IP), as a little-endian host reads it
	r0 = 0			; drop
	exit
keep:
	r0 = 65535		; keep up to 64 KiB of the packet
	exit
