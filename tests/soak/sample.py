#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Samples and slopes for tests/soak/soak.sh (docs/soak.md).

  sample.py inside OUT SECONDS
      Run as a process of a nuse session (in-process mode: /proc/net is the
      session's stack, docs/design.md): once a second, append a line
      "TIME used tcp_inuse tcp_orphan tcp_tw tcp_alloc tcp_mem tcp6_inuse"
      from /proc/net/sockstat and /proc/net/sockstat6 to OUT; ends when its
      parent (the session's server) is gone, or after SECONDS.

  sample.py outside CSV T0 STOPFILE NAME:SID:TAP:DONE:MARKER...
      From the host, once a second until STOPFILE exists: for every
      process of each session, a row "t,session,role,pid,comm,rss_kib,
      anon_kib,shmem_kib,fds,stack_kib,tap_bytes,stack_used_kib,threads"
      (t: seconds since T0; VmRSS, RssAnon, RssShmem, Threads from
      /proc/PID/status; fds: entries of /proc/PID/fd; keeper only: the
      blocks its memfd of the stack's memory has allocated, the bytes
      through TAP from its /proc/PID/net/dev, the stack's memory in use
      from its page allocator's counters, at the addresses in
      $SOAK_TOTALRAM and $SOAK_ZONE_STAT: the least of the readings
      every 0.1 s since the previous row).  The session's processes: the
      program's, whose
      session id is SID, and its keeper (nuse-keeper) and descriptor
      holder (nuse-fds), whose command lines contain MARKER.  No byte
      through a session's TAP for 5 s while its load runs (until the file
      DONE exists: the other session's load may end later): every
      thread's state, wchan and system call go to soak-stall-NAME.txt
      beside CSV.

  sample.py sockets CSV T0 NAME:FILE...
      The inside samples as CSV "t,session,sockets_used,tcp_inuse,
      tcp_orphan,tcp_tw,tcp_alloc,tcp_mem_pages,tcp6_inuse".

  sample.py fit PROCS_CSV SOCKETS_CSV FROM TO TW_FROM
      Least-squares slope of every series over [FROM, TO] (seconds since
      T0; TIME_WAIT over [TW_FROM, TO]; memory through its minimum per
      10 s, "(floor)"), printed as a table; the bounds
      of docs/soak.md checked; "FAIL: ..." for each one broken, exit
      status 1 if any.
"""
import csv
import os
import sys
import time

# Bounds (docs/soak.md says why these).
RSS_GROWTH_MAX = 0.05  # fitted growth over the window / mean, every process
RSS_GROWTH_MIN = 128.0  # KiB: ... or this, the larger (32 pages touched once)
RSS_SLOPE_MAX = 16.0  # KiB/s, every process
COUNT_RISE_MIN = 16  # descriptors, sockets: fitted rise over the window
COUNT_RISE_FRAC = 0.02  # ... or this fraction of the mean, the larger
GAP_MAX = 5.0  # s between two samples of a series: a stall
STALL = 5  # s without a byte through a session's TAP: a stall, dumped
FLOOR = 10  # s: memory series are fitted through their minimum per FLOOR s
SUBSAMPLE = 0.1  # s: the stack's memory in use is read this often
# A thread made during the window (Go makes one when a goroutine has been
# in a system call for long: a stack call waiting for the stack) costs,
# measured here, ~150 KiB of its process's RssAnon (nuse's runtime stack
# and thread block, Go's g0 stack) and ~70 KiB of the stack's memory (its
# task and kernel stack): growth up to these per new thread is allowed.
ANON_PER_THREAD = 256.0  # KiB
STACK_PER_THREAD = 128.0  # KiB
# A program's heap keeps the high-water mark of its open connections
# (nginx: a pool and buffers per connection, freed to malloc's free lists
# at close, not to the system): growth up to this per descriptor above
# the most the process had open before the window is allowed.  Measured
# in a CI run: 264 KiB for 465 more (0.6 KiB each), in two steps at the
# two new highs, flat between.
ANON_PER_FD_PEAK = 1.0  # KiB


# VmRSS = private memory + the pages of the stack's shared memory (the
# keeper's memfd) this process has touched so far, which creeps up as its
# calls touch pages others' calls allocated: reported; the private part
# (RssAnon) is checked.  The stack's memory: what its page allocator has
# in use (stack_used_kib) is checked; the memfd's allocated blocks
# (stack_kib: every page ever used, a high-water mark: a freed page stays
# in the memfd) are reported.
KIND = {"rss_kib": "info", "anon_kib": "mem", "shmem_kib": "info",
        "stack_kib": "info", "stack_used_kib": "mem", "threads": "info"}


def sockstat():
    v = {}
    for path in ("/proc/net/sockstat", "/proc/net/sockstat6"):
        with open(path) as f:
            for line in f:
                key, _, rest = line.partition(":")
                w = rest.split()
                for i in range(0, len(w) - 1, 2):
                    v[key + "." + w[i]] = w[i + 1]
    return " ".join(v.get(k, "nan") for k in (
        "sockets.used", "TCP.inuse", "TCP.orphan", "TCP.tw", "TCP.alloc",
        "TCP.mem", "TCP6.inuse"))


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def inside(out, seconds, pid):
    end = time.time() + float(seconds)
    with open(out, "a") as f:
        while alive(pid) and time.time() < end:
            f.write("%.3f %s\n" % (time.time(), sockstat()))
            f.flush()
            time.sleep(1.0 - time.time() % 1.0)


def status(pid):
    v = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, rest = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssShmem", "Threads"):
                v[k] = rest.split()[0]
    return v


def stack_kib(pid, fdl):
    """The stack's memory: what the keeper's memfd has allocated."""
    kib = 0
    for fd in fdl:
        p = "/proc/%d/fd/%s" % (pid, fd)
        try:
            if os.readlink(p).startswith("/memfd:nuse-kernel-memory"):
                kib += os.stat(p).st_blocks // 2
        except OSError:
            pass
    return str(kib)


def stall_dump(csv_path, name, t, pids):
    out = os.path.join(os.path.dirname(csv_path), "soak-stall-%s.txt" % name)
    with open(out, "w") as f:
        f.write("%s: no byte through its TAP for %d s at t=%.0f s\n"
                % (name, STALL, t))
        f.write("pid tid state wchan syscall comm\n")
        for pid in pids:
            try:
                tids = sorted(os.listdir("/proc/%s/task" % pid), key=int)
            except OSError:
                continue
            for tid in tids:
                d = "/proc/%s/task/%s/" % (pid, tid)
                try:
                    st = open(d + "stat").read()
                    state = st[st.rindex(")") + 2]
                    wchan = open(d + "wchan").read().strip() or "-"
                    sysc = open(d + "syscall").read().split()[0]
                    comm = open(d + "comm").read().strip()
                except (OSError, IndexError):
                    continue
                f.write("%s %s %s %s %s %s\n" % (pid, tid, state, wchan, sysc, comm))


def stack_used_kib(pid):
    """The stack's memory in use: its page allocator's pages less the
    free ones (_totalram_pages, vm_zone_stat[NR_FREE_PAGES], at the
    addresses soak.sh found in nuse-exec: static, not PIE, so the same in
    the keeper), read from the keeper's memory; "" if not known."""
    try:
        total, free = int(os.environ["SOAK_TOTALRAM"], 16), \
            int(os.environ["SOAK_ZONE_STAT"], 16)
        with open("/proc/%d/mem" % pid, "rb") as m:
            m.seek(total)
            t = int.from_bytes(m.read(8), "little", signed=True)
            m.seek(free)
            f = int.from_bytes(m.read(8), "little", signed=True)
        return str((t - f) * 4) if 0 < f <= t else ""
    except (KeyError, ValueError, OSError):
        return ""


def tap_bytes(pid, tap):
    """Bytes received + sent by TAP (the keeper is in its namespace)."""
    with open("/proc/%d/net/dev" % pid) as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name.strip() == tap:
                w = rest.split()
                return str(int(w[0]) + int(w[8]))
    return ""


def stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    comm = s[s.index("(") + 1:s.rindex(")")]
    w = s[s.rindex(")") + 2:].split()
    return comm, w[0], int(w[3])  # comm, state, session id


def outside(path, t0, stopfile, specs):
    sessions = []
    for s in specs:
        name, sid, tap, done, marker = s.split(":", 4)
        sessions.append((name, int(sid), tap, done, marker.encode()))
    t0 = float(t0)
    last = {}  # session -> (its last inside sample, since when)
    dumped = set()
    used_min = {}  # keeper -> least memory in use read since its last row
    with open(path, "w") as f:
        f.write("t,session,role,pid,comm,rss_kib,anon_kib,shmem_kib,fds,"
                "stack_kib,tap_bytes,stack_used_kib,threads\n")
        while not os.path.exists(stopfile):
            t = time.time()
            rows = []
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                pid = int(d)
                try:
                    comm, state, sid = stat(pid)
                    if state == "Z":
                        continue
                    role = None
                    for name, ssid, tap, _, marker in sessions:
                        if sid == ssid and pid != ssid:
                            # (the leader is timeout(1), not nuse's)
                            role = (name, "program")
                        elif comm in ("nuse-keeper", "nuse-fds"):
                            with open("/proc/%d/cmdline" % pid, "rb") as c:
                                if marker in c.read():
                                    role = (name, comm[5:], tap)
                        if role:
                            break
                    if not role:
                        continue
                    st = status(pid)
                    fdl = os.listdir("/proc/%d/fd" % pid)
                    fds = len(fdl)
                    mem = tapb = used = ""
                    if role[1] == "keeper":
                        mem = stack_kib(pid, fdl)
                        tapb = tap_bytes(pid, role[2])
                        used = stack_used_kib(pid)
                        if used and pid in used_min:
                            used = str(min(int(used), used_min[pid]))
                except (OSError, ValueError, IndexError):
                    continue  # gone meanwhile
                rows.append("%.2f,%s,%s,%d,%s,%s,%s,%s,%d,%s,%s,%s,%s\n" % (
                    t - t0, role[0], role[1], pid, comm, st.get("VmRSS", ""),
                    st.get("RssAnon", ""), st.get("RssShmem", ""), fds, mem,
                    tapb, used, st.get("Threads", "")))
            f.writelines(sorted(rows, key=lambda r: r.split(",")[1:4]))
            f.flush()
            for name, ssid, tap, done, marker in sessions:
                if name in dumped or os.path.exists(done):
                    continue
                cur = [r.split(",")[10] for r in rows
                       if r.split(",")[1] == name and r.split(",")[10].strip()]
                if not cur:
                    continue
                if last.get(name, (None,))[0] != cur:
                    last[name] = (cur, t)
                elif t - last[name][1] >= STALL:
                    # under load, no byte through the session's TAP for
                    # STALL s: what every thread is doing
                    dumped.add(name)
                    stall_dump(path, name, t - t0, [
                        r.split(",")[3] for r in rows
                        if r.split(",")[1] == name])
            # Till the next row, the keepers' memory in use every
            # SUBSAMPLE s: the row has the least reading, nearer the
            # floor that socket buffers in flight hide at high load
            keepers = [int(r.split(",")[3]) for r in rows
                       if r.split(",")[2] == "keeper"]
            used_min = {}
            while True:
                left = 1.0 - (time.time() - t)
                if left <= SUBSAMPLE / 2:
                    break
                time.sleep(min(SUBSAMPLE, left))
                for pid in keepers:
                    u = stack_used_kib(pid)
                    if u:
                        used_min[pid] = min(int(u), used_min.get(pid, int(u)))
            time.sleep(max(0.0, 1.0 - (time.time() - t)))


def sockets(path, t0, specs):
    t0 = float(t0)
    with open(path, "w") as f:
        f.write("t,session,sockets_used,tcp_inuse,tcp_orphan,tcp_tw,"
                "tcp_alloc,tcp_mem_pages,tcp6_inuse\n")
        for s in specs:
            name, src = s.split(":", 1)
            try:
                lines = open(src).read().splitlines()
            except OSError:
                lines = []
            for line in lines:
                w = line.split()
                if len(w) != 8:
                    continue
                f.write("%.2f,%s,%s\n" % (float(w[0]) - t0, name, ",".join(w[1:])))


def slope(pts):
    n = len(pts)
    mt = sum(t for t, _ in pts) / n
    mv = sum(v for _, v in pts) / n
    stt = sum((t - mt) ** 2 for t, _ in pts)
    if stt == 0:
        return 0.0, mv
    return sum((t - mt) * (v - mv) for t, v in pts) / stt, mv


def fit(procs_csv, sockets_csv, lo, hi, tw_lo):
    lo, hi, tw_lo = float(lo), float(hi), float(tw_lo)
    series = {}  # key -> (kind, [(t, v)])
    pids = {}  # session -> {role/comm: set(pid)}
    tot = {}  # session -> {t: the program processes' descriptors}
    fd_before = {}  # process -> most descriptors open before the window
    with open(procs_csv) as f:
        for r in csv.DictReader(f):
            t = float(r["t"])
            who = "%s %s %s[%s]" % (r["session"], r["role"], r["comm"], r["pid"])
            if t < lo:
                fd_before[who] = max(fd_before.get(who, 0.0), float(r["fds"]))
            if not lo <= t <= hi:
                continue
            pids.setdefault(r["session"], {}).setdefault(
                (r["role"], r["comm"]), set()).add(r["pid"])
            for k in KIND:
                if r.get(k):
                    series.setdefault(who + " " + k, (KIND[k], []))[1].append(
                        (t, float(r[k])))
            # connections move between nginx's workers: their sum counts
            fk = "count" if r["role"] != "program" else "info"
            series.setdefault(who + " fds", (fk, []))[1].append(
                (t, float(r["fds"])))
            if r["role"] == "program":
                tot.setdefault(r["session"], {}).setdefault(t, 0)
                tot[r["session"]][t] += float(r["fds"])
    for sess, byt in tot.items():
        series["%s programs fds (sum)" % sess] = ("count", sorted(byt.items()))
    with open(sockets_csv) as f:
        for r in csv.DictReader(f):
            t = float(r["t"])
            for k in ("sockets_used", "tcp_inuse", "tcp_orphan", "tcp_tw",
                      "tcp_alloc", "tcp_mem_pages", "tcp6_inuse"):
                # TIME_WAIT sockets last 60 s: their number follows the
                # rate connections were closed at over the last minute
                # socket buffers' pages are in the stack's memory in use
                kind = "info" if k in ("tcp_tw", "tcp_mem_pages") else "count"
                first = tw_lo if k == "tcp_tw" else lo
                if first <= t <= hi and r[k] != "nan":
                    series.setdefault("%s stack %s" % (r["session"], k),
                                      (kind, []))[1].append((t, float(r[k])))
    # New threads in the window: each costs memory while it lives.
    thr = {}  # "session role comm[pid]" or session -> thread rise
    for key, (kind, pts) in series.items():
        if key.endswith(" threads") and len(pts) >= 2:
            pts.sort()
            d = max(0.0, pts[-1][1] - pts[0][1])
            thr[key[:-len(" threads")]] = d
            sess = key.split()[0]
            thr[sess] = thr.get(sess, 0.0) + d
    bad = []
    print("%-52s %6s %12s %12s %10s %8s" % (
        "series (window %.0f-%.0f s)" % (lo, hi), "n", "mean", "slope/s",
        "rise", "rise%"))
    for key in sorted(series):
        kind, pts = series[key]
        if len(pts) < 10:
            bad.append("%s: %d samples in the window" % (key, len(pts)))
            continue
        pts.sort()
        gap = max(b[0] - a[0] for a, b in zip(pts, pts[1:]))
        if kind == "mem":
            # memory: the fit of its floor, the minimum of every 10 s,
            # what stays after socket buffers in flight are freed and
            # garbage is collected (Go's heap is a saw): a leak lifts it
            fl = {}
            for t, v in pts:
                b = int((t - pts[0][0]) // FLOOR)
                if b not in fl or v < fl[b][1]:
                    fl[b] = (t, v)
            full = [fl[b] for b in fl if (b + 1) * FLOOR <= pts[-1][0] - pts[0][0] + 1]
            s, mean = slope(full if len(full) >= 3 else pts)
            key += " (floor)"
        else:
            s, mean = slope(pts)
        span = pts[-1][0] - pts[0][0]
        rise = s * span
        frac = rise / mean if mean else 0.0
        print("%-52s %6d %12.1f %12.3f %10.1f %7.2f%%" % (
            key, len(pts), mean, s, rise, 100 * frac))
        if gap > GAP_MAX:
            bad.append("%s: no sample for %.1f s" % (key, gap))
        first = tw_lo if key.endswith(" tcp_tw") else lo
        if pts[0][0] > first + GAP_MAX or pts[-1][0] < hi - GAP_MAX:
            # a process that died, or one started (a worker respawned)
            bad.append("%s: only from %.0f to %.0f s" % (key, pts[0][0], pts[-1][0]))
        if kind == "info":
            continue
        if kind == "mem":
            # what the threads made in the window explain (a process's
            # own; the stack's: all the session's programs')
            who = key.rsplit(" ", 2)[0]
            if key.split()[1] == "keeper" and "stack_used" in key:
                allow = thr.get(key.split()[0], 0.0) * STACK_PER_THREAD
            else:
                allow = thr.get(who, 0.0) * ANON_PER_THREAD
            if allow:
                print("%-52s %6s %12s %12s %10.1f  %d new threads" % (
                    "  allowed for new threads", "", "", "", allow,
                    allow / (STACK_PER_THREAD if "stack_used" in key
                             else ANON_PER_THREAD)))
            if key.split()[1] == "program" and "anon" in key and \
                    who + " fds" in series:
                peak = max(v for _, v in series[who + " fds"][1]) - \
                    fd_before.get(who, float("inf"))
                if peak > 0:
                    allow += peak * ANON_PER_FD_PEAK
                    print("%-52s %6s %12s %12s %10.1f  %d descriptors over the "
                          "warm-up's most" % ("  allowed for new open highs",
                                             "", "", "", peak * ANON_PER_FD_PEAK,
                                             peak))
            left = rise - allow
            # The fit of 10 s floors tilts with the noise of a short
            # window (the stack's memory swings by ~1 MiB with 2,000
            # connections' buffers): a leak also lifts the floor, the
            # minimum of the window's last third above that of its first
            # third by two thirds of the growth it makes over the window.
            third = len(pts) // 3
            lift = min(v for _, v in pts[-third:]) - \
                min(v for _, v in pts[:third]) - allow * 2 / 3
            lim = max(RSS_GROWTH_MIN, RSS_GROWTH_MAX * mean)
            if (left > lim or left / span > RSS_SLOPE_MAX) and \
                    lift > lim * 2 / 3:
                bad.append("%s: grows %.1f KiB/s, %.1f KiB (%.1f%%) over %.0f s, "
                           "%.0f KiB of it allowed (new threads, new open highs), its floor up "
                           "%.1f KiB (bound: %.0f KiB/s and %.0f%%)" % (
                               key, s, rise, 100 * frac, span, allow, lift,
                               RSS_SLOPE_MAX, 100 * RSS_GROWTH_MAX))
        else:
            # Connections being made again dip a count (nginx closes
            # each after 100 requests), which tilts the fit at random;
            # a leak also lifts its ceiling: the largest value of the
            # window's last third above that of its first third.
            lim = max(COUNT_RISE_MIN, COUNT_RISE_FRAC * mean)
            third = len(pts) // 3
            top0 = max(v for _, v in pts[:third])
            top1 = max(v for _, v in pts[-third:])
            if rise > lim and top1 > top0 + COUNT_RISE_MIN:
                bad.append("%s: rises by %.1f over %.0f s (bound %.1f), its "
                           "ceiling from %.0f to %.0f" % (
                               key, rise, span, lim, top0, top1))
    for sess, roles in sorted(pids.items()):
        for (role, comm), ps in sorted(roles.items()):
            if role != "program" and len(ps) != 1:
                bad.append("%s: %d %s processes in the window: %s" % (
                    sess, len(ps), role, " ".join(sorted(ps))))
    n = {s: sum(len(p) for p in r.values()) for s, r in pids.items()}
    print("processes sampled: " + ", ".join(
        "%s %d" % (s, c) for s, c in sorted(n.items())))
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


def main(argv):
    if len(argv) == 5 and argv[1] == "inside":
        inside(argv[2], argv[3], int(argv[4]))
        return 0
    if len(argv) >= 5 and argv[1] == "outside":
        outside(argv[2], argv[3], argv[4], argv[5:])
        return 0
    if len(argv) >= 4 and argv[1] == "sockets":
        sockets(argv[2], argv[3], argv[4:])
        return 0
    if len(argv) == 7 and argv[1] == "fit":
        return fit(*argv[2:7])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
