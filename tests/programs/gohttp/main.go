// SPDX-License-Identifier: GPL-2.0

// gohttp: a static Go program for nuse's interception tests.  Go makes its
// system calls with raw `syscall` instructions from small goroutine stacks,
// runs signal handlers SA_ONSTACK with its own restorer, and keeps threads
// busy with the scheduler and the garbage collector: what an in-process
// interception mode must survive.
//
//	gohttp [-n 300]                  server and client in one process
//	gohttp -mode=server [-addr HOST:PORT] [-portfile F] [-requests N]
//	gohttp -mode=client -url URL [-n 300]
//
// Output is deterministic: no ports, no timings.
package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// body returns the deterministic payload of /data/i.
func body(i int) []byte {
	n := 1 + (i*7919)%(256*1024)
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*31 + j + j>>8)
	}
	return b
}

type server struct {
	served int64
	limit  int64
	done   chan struct{}
	once   sync.Once
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var i int
	var err error
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/echo":
		data, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(bytes.ToUpper(data))
	case len(r.URL.Path) > 6 && r.URL.Path[:6] == "/data/":
		if i, err = strconv.Atoi(r.URL.Path[6:]); err != nil || i < 0 {
			http.NotFound(w, r)
			return
		}
		b := body(i)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	default:
		http.NotFound(w, r)
		return
	}
	if n := atomic.AddInt64(&s.served, 1); s.limit > 0 && n >= s.limit {
		s.once.Do(func() { close(s.done) })
	}
}

// listenAddr: where the server listens (-addr; a TAP address under nuse).
var listenAddr = "127.0.0.1:0"

func listen() (net.Listener, *server) {
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gohttp: listen:", err)
		os.Exit(1)
	}
	s := &server{done: make(chan struct{})}
	go http.Serve(ln, s)
	return ln, s
}

func newClient(n int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        n,
			MaxIdleConnsPerHost: n,
			DisableCompression:  true,
		},
	}
}

// fetchAll runs n concurrent requests made by req(i) and checks each body
// with check(i, body); it returns how many passed and a combined digest.
func fetchAll(c *http.Client, n int, req func(int) (*http.Request, error),
	check func(int, []byte) bool) (int, int64, string) {
	var wg sync.WaitGroup
	sums := make([][32]byte, n)
	ok := make([]bool, n)
	var total int64
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rq, err := req(i)
			if err != nil {
				return
			}
			resp, err := c.Do(rq)
			if err != nil {
				fmt.Fprintln(os.Stderr, "gohttp:", err)
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != 200 || !check(i, b) {
				return
			}
			atomic.AddInt64(&total, int64(len(b)))
			sums[i] = sha256.Sum256(b)
			ok[i] = true
		}(i)
	}
	wg.Wait()
	h := sha256.New()
	good := 0
	for i := range sums {
		if ok[i] {
			good++
		}
		h.Write(sums[i][:])
	}
	return good, total, fmt.Sprintf("%x", h.Sum(nil))[:16]
}

func both(n int) int {
	ln, _ := listen()
	base := "http://" + ln.Addr().String()
	c := newClient(n)
	fail := 0

	good, total, sum := fetchAll(c, n, func(i int) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, base+"/data/"+strconv.Itoa(i), nil)
	}, func(i int, b []byte) bool { return bytes.Equal(b, body(i)) })
	fmt.Printf("get: %d/%d ok, %d bytes, digest %s\n", good, n, total, sum)
	if good != n {
		fail = 1
	}

	runtime.GC()

	good, total, sum = fetchAll(c, n, func(i int) (*http.Request, error) {
		payload := bytes.Repeat([]byte(fmt.Sprintf("post %d;", i)), 1+i%97)
		return http.NewRequest(http.MethodPost, base+"/echo", bytes.NewReader(payload))
	}, func(i int, b []byte) bool {
		return bytes.Equal(b, bytes.ToUpper(bytes.Repeat([]byte(fmt.Sprintf("post %d;", i)), 1+i%97)))
	})
	fmt.Printf("post: %d/%d ok, %d bytes, digest %s\n", good, n, total, sum)
	if good != n {
		fail = 1
	}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("gc: ran %v\n", ms.NumGC >= 2)
	c.CloseIdleConnections()
	ln.Close()
	return fail
}

func serverOnly(portfile string, limit int64) int {
	ln, s := listen()
	s.limit = limit
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	if portfile != "" {
		tmp := portfile + ".tmp"
		if err := os.WriteFile(tmp, []byte(port+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gohttp:", err)
			return 1
		}
		if err := os.Rename(tmp, portfile); err != nil {
			fmt.Fprintln(os.Stderr, "gohttp:", err)
			return 1
		}
	} else {
		fmt.Println("port", port)
	}
	<-s.done
	fmt.Printf("server: served %d requests\n", atomic.LoadInt64(&s.served))
	return 0
}

func clientOnly(url string, n int) int {
	c := newClient(n)
	var size int64 = -1
	var mu sync.Mutex
	good, _, _ := fetchAll(c, n, func(int) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, url, nil)
	}, func(_ int, b []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if size < 0 {
			size = int64(len(b))
		}
		return size == int64(len(b))
	})
	// Every body must be the same document: fetch it once more for its hash.
	resp, err := c.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gohttp:", err)
		return 1
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("client: %d/%d ok, size %d, sha256 %x\n", good, n, len(b), sha256.Sum256(b))
	if good != n {
		return 1
	}
	return 0
}

func main() {
	mode := flag.String("mode", "both", "both, server or client")
	n := flag.Int("n", 300, "concurrent requests")
	url := flag.String("url", "", "client: URL to fetch")
	portfile := flag.String("portfile", "", "server: write the port here")
	limit := flag.Int64("requests", 0, "server: exit after this many requests (0: never)")
	flag.StringVar(&listenAddr, "addr", listenAddr, "server: listen address")
	flag.Parse()

	switch *mode {
	case "both":
		os.Exit(both(*n))
	case "server":
		os.Exit(serverOnly(*portfile, *limit))
	case "client":
		if *url == "" {
			fmt.Fprintln(os.Stderr, "gohttp: -mode=client needs -url")
			os.Exit(2)
		}
		os.Exit(clientOnly(*url, *n))
	}
	fmt.Fprintln(os.Stderr, "gohttp: unknown -mode", *mode)
	os.Exit(2)
}
