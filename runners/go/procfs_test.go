package main

import "testing"

const sampleStatus = `Name:	runner
Threads:	7
VmPeak:	 1291145 kB
VmHWM:	    6044 kB
VmRSS:	    3204 kB
Cpus_allowed:	3
Cpus_allowed_list:	0-1
`

func TestParseProcStatus(t *testing.T) {
	st, err := parseProcStatus([]byte(sampleStatus))
	if err != nil {
		t.Fatal(err)
	}
	if st.VmRSS != 3204*1024 || st.VmHWM != 6044*1024 || st.VmPeak != 1291145*1024 || !st.haveVmPeak {
		t.Errorf("memory fields = %+v", st)
	}
	if st.Threads != 7 || st.CpusAllowed != "0-1" {
		t.Errorf("threads/affinity = %d %q", st.Threads, st.CpusAllowed)
	}
}

func TestParseProcStatusIncomplete(t *testing.T) {
	if _, err := parseProcStatus([]byte("Name:\tx\nVmRSS:\t10 kB\n")); err == nil {
		t.Error("status without VmHWM/Threads accepted")
	}
}

func TestReadProcStatusSelf(t *testing.T) {
	st, err := readProcStatus()
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if st.VmRSS <= 0 || st.VmHWM < st.VmRSS || st.Threads < 1 {
		t.Errorf("own status = %+v", st)
	}
}

// peakRSS: VmHWM, but never below an exact VmRSS reading of the window
// (the kernel keeps VmHWM from its approximate RSS counter).
func TestPeakRSSNeverBelowExactRSS(t *testing.T) {
	const page = 4096
	cases := []struct {
		name                    string
		hwm, baseline, rssAfter int64
		want                    int64
	}{
		{"VmHWM above both readings: VmHWM", 900 * page, 800 * page, 850 * page, 900 * page},
		{"VmHWM below the baseline: the baseline", 780 * page, 800 * page, 790 * page, 800 * page},
		{"VmHWM below the reading after the window: that reading", 800 * page, 790 * page, 812 * page, 812 * page},
		{"all equal", 800 * page, 800 * page, 800 * page, 800 * page},
	}
	for _, c := range cases {
		got := peakRSS(c.hwm, c.baseline, c.rssAfter)
		if got != c.want {
			t.Errorf("%s: peakRSS(%d, %d, %d) = %d, want %d", c.name, c.hwm, c.baseline, c.rssAfter, got, c.want)
		}
		if got < c.baseline || got < c.rssAfter || got < c.hwm {
			t.Errorf("%s: peakRSS = %d is below one of its readings", c.name, got)
		}
	}
}
