module example.com/{{NAME}}

go 1.19

require github.com/xdperf/xdperf/sdk-tinygo v0.0.0

replace github.com/xdperf/xdperf/sdk-tinygo => ./xdperf-sdk
