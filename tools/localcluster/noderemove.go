package main

import (
	"context"
	"fmt"
	"os"
	"time"

	remote "k8s.io/cri-client/pkg"
)

// runRemovePods stops and removes every pod sandbox of a CRI runtime (`localcluster remove-pods
// <endpoint>`), as `crictl rmp -fa` would: each pod's containers are stopped, its network torn down
// through CNI (its IP released) and its network namespace removed. The local stack runs it on
// `stack down` before it stops the kubelet's runtime, so nothing of a pod outlives the node.
func runRemovePods() int {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: localcluster remove-pods unix:///path/to/containerd.sock")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runtime, err := remote.NewRemoteRuntimeService(ctx, os.Args[1], 10*time.Second, nil, false)
	if err != nil {
		fmt.Fprintf(os.Stderr, "remove-pods: %v\n", err)
		return 1
	}
	pods, err := runtime.ListPodSandbox(ctx, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "remove-pods: list: %v\n", err)
		return 1
	}
	failed := 0
	for _, pod := range pods {
		name := pod.GetMetadata().GetNamespace() + "/" + pod.GetMetadata().GetName()
		if err := runtime.StopPodSandbox(ctx, pod.GetId()); err != nil {
			fmt.Fprintf(os.Stderr, "remove-pods: stop %s: %v\n", name, err)
			failed++
			continue
		}
		if err := runtime.RemovePodSandbox(ctx, pod.GetId()); err != nil {
			fmt.Fprintf(os.Stderr, "remove-pods: remove %s: %v\n", name, err)
			failed++
			continue
		}
		fmt.Printf("removed pod %s\n", name)
	}
	if failed > 0 {
		return 1
	}
	return 0
}
