package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

// runEtcd runs etcd's own main; it exits the process itself on failure.
func runEtcd() int {
	etcdmain.Main(os.Args)
	return 0
}
