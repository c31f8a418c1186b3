package main

import (
	"context"

	"k8s.io/component-base/cli"
	kubeproxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

// runKubelet runs the node agent of the local stack's one real node (containerd through the CRI).
func runKubelet() int { return cli.Run(kubelet.NewKubeletCommand(context.Background())) }

// runKubeProxy programs the node's iptables so Service IPs reach pods (iptables mode; no IPVS here).
func runKubeProxy() int { return cli.Run(kubeproxy.NewProxyCommand()) }
