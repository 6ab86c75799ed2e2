# The stack layer's glue to the backends and the nuse-node tool (issue 5).
# attach.c calls both APIs, so it lives here (stack -> backend) and outside
# the kernel object: the kernel sees only an xmit callback.
lib_LIBRARIES += src/stack/libnuse-attach.a
nuse_HEADERS += include/nuse/attach.h
src_stack_libnuse_attach_a_SOURCES = include/nuse/attach.h src/stack/attach.c
src_stack_libnuse_attach_a_CFLAGS = $(AM_CFLAGS) $(RT_SAN_CFLAGS)
ATTACH_LIBS = src/stack/libnuse-attach.a $(STACK_LIBS) $(BACKEND_LIBS)

# nuse-node: a stack on backends running one endpoint (tests, bench-link).
bin_PROGRAMS += src/stack/nuse-node
src_stack_nuse_node_SOURCES = src/stack/tools/node.h \
	src/stack/tools/nuse-node.c src/stack/tools/node-tcp.c \
	src/stack/tools/node-udp.c \
	src/stack/tools/sha256.h src/stack/tools/sha256.c
src_stack_nuse_node_LDADD = $(ATTACH_LIBS)
EXTRA_DIST += docs/link.md
