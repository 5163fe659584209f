; fnv1a.s - FNV-1a 64-bit hash of the input buffer (r1 = data, r2 = length), in the kernel's assembly syntax
	r0 = 0xcbf29ce484222325 ll	; FNV offset basis
	r3 = 0x100000001b3 ll		; FNV prime
	r4 = r1
	r4 += r2			; r4 = end of input
loop:
	if r1 >= r4 goto done
	r5 = *(u8 *)(r1 +0)
	r0 ^= r5
	r0 *= r3
	r1 += 1
	goto loop
done:
	exit
