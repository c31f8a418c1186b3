// Command localcluster is one multi-call binary holding the local Kubernetes control plane
// (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) and the real node's
// kubelet and kube-proxy, each built from its pinned upstream Go module. One binary links the
// shared libraries once, so the first build on a 2-core machine takes minutes instead of far longer.
//
// Usage: localcluster <subcommand> [upstream flags...]
package main

import (
	"fmt"
	"os"
	"sort"
	_ "time/tzdata" // CronJob time-zone support, as upstream's kube-apiserver and controller-manager

	_ "k8s.io/component-base/logs/json/register"          // JSON log format, as upstream's mains
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics, as upstream's mains
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric, as upstream's mains
)

// subcommands maps argv[1] to the upstream entry point. Each entry point sees os.Args with the
// subcommand name as argv[0], exactly as if it had been built as its own binary.
var subcommands = map[string]func() int{
	"etcd":                    runEtcd,
	"kube-apiserver":          runKubeAPIServer,
	"kube-controller-manager": runKubeControllerManager,
	"kube-scheduler":          runKubeScheduler,
	"kwok":                    runKwok,
	"kwok-stages":             runKwokStages,
	"kubelet":                 runKubelet,
	"kube-proxy":              runKubeProxy,
	"remove-pods":             runRemovePods,
	"local-volumes":           runLocalVolumes,
	"netpol":                  runNetpol,
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	run, ok := subcommands[os.Args[1]]
	if !ok {
		if os.Args[1] == "version" || os.Args[1] == "--version" {
			fmt.Println(versionString())
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "localcluster: unknown subcommand %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	os.Args = os.Args[1:]
	os.Exit(run())
}

func usage() {
	names := make([]string, 0, len(subcommands))
	for name := range subcommands {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "usage: localcluster <subcommand> [flags]\nsubcommands: %v, version\n", names)
}
