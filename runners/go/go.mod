module concbench-poly/runners/go

go 1.23
