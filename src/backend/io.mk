# src/backend packet I/O (issue 5): TAP, AF_PACKET, DPDK, shm, pcap
