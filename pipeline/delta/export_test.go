package delta

// CPUTime lends cpuTime to the benchmarks of package delta_test.
var CPUTime = cpuTime
