// The io task alone, for bench/bookkeeping.py: what the runner's task costs without the runner.
// Same command line shape as runners/go (--approach goroutines, --tasks N, --io-ms D) and the same
// task body (a goroutine in time.Sleep, a sync.WaitGroup), nothing else: no stamps, no window, no
// document. Written for bench/, never shipped in an image. Build (no module; outside go.work):
//
//	GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 go build -o /tmp/bare bench/bare/bare.go
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"time"
)

func main() {
	approach := flag.String("approach", "goroutines", "only goroutines")
	tasks := flag.Int("tasks", 1000, "number of goroutines")
	ioMs := flag.Float64("io-ms", 10, "wait per goroutine in ms")
	flag.Parse()
	if *approach != "goroutines" {
		fmt.Fprintf(os.Stderr, "bare: error: --approach: only goroutines, got %q\n", *approach)
		os.Exit(2)
	}
	wait := time.Duration(*ioMs * float64(time.Millisecond))
	var wg sync.WaitGroup
	wg.Add(*tasks)
	for i := 0; i < *tasks; i++ {
		go func() {
			time.Sleep(wait)
			wg.Done()
		}()
	}
	wg.Wait()
}
