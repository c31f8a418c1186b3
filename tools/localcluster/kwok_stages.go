package main

import (
	"fmt"
	"strings"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeatwithlease "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
)

// runKwokStages prints the Stage objects kwokctl gives a kwok controller by default (node
// initialise + lease heartbeat, pod ready/complete/delete). The bare kwok controller has no
// defaults and refuses to start without stages, so the local stack writes this output into
// kwok's --config file; the stages then always match the pinned kwok release.
func runKwokStages() int {
	docs := []string{
		nodefast.DefaultNodeInit,
		nodeheartbeatwithlease.DefaultNodeHeartbeatWithLease,
		podfast.DefaultPodReady,
		podfast.DefaultPodComplete,
		podfast.DefaultPodDelete,
	}
	for i, doc := range docs {
		if i > 0 {
			fmt.Println("---")
		}
		fmt.Println(strings.TrimSpace(doc))
	}
	return 0
}
