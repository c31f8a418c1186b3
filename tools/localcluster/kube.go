package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/component-base/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func runKubeAPIServer() int { return cli.Run(apiserver.NewAPIServerCommand()) }

func runKubeControllerManager() int { return cli.Run(controllermanager.NewControllerManagerCommand()) }

func runKubeScheduler() int { return cli.Run(scheduler.NewSchedulerCommand()) }

// versionString is the Kubernetes release stamped at build time through -ldflags -X
// k8s.io/component-base/version.gitVersion=…; "v0.0.0-master+$Format:%H$" means unstamped.
func versionString() string { return version.Get().GitVersion }
