package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/component-base/cli"
	"k8s.io/klog/v2"
	"sigs.k8s.io/sig-storage-lib-external-provisioner/v11/controller"

	"github.com/spf13/cobra"
)

// localVolumes provisions `local` PersistentVolumes (not hostPath: Velero's file-system backup
// skips hostPath) as directories under one folder of this host, pinned to the node the scheduler
// chose for the claim's first pod (or the default node when the class binds immediately).
// It runs as a host process beside the kubelet, so it creates and removes the directories itself.
type localVolumes struct {
	dir  string
	node string
}

func (l *localVolumes) Provision(_ context.Context, opts controller.ProvisionOptions) (*v1.PersistentVolume, controller.ProvisioningState, error) {
	// The node the scheduler chose (WaitForFirstConsumer): the real node, or kwok's fake node, whose
	// pods never mount anything; the folder lives on this host either way.
	node := l.node
	if opts.SelectedNode != nil {
		node = opts.SelectedNode.Name
	}
	if opts.PVC.Spec.VolumeMode != nil && *opts.PVC.Spec.VolumeMode == v1.PersistentVolumeBlock {
		return nil, controller.ProvisioningFinished, fmt.Errorf("block volumes are not supported")
	}
	path := filepath.Join(l.dir, fmt.Sprintf("%s_%s_%s", opts.PVC.Namespace, opts.PVC.Name, opts.PVName))
	if err := os.MkdirAll(path, 0o777); err != nil {
		return nil, controller.ProvisioningInBackground, err
	}
	// Pods run as non-root uids; the kubelet applies fsGroup on top.
	if err := os.Chmod(path, 0o777); err != nil {
		return nil, controller.ProvisioningInBackground, err
	}
	reclaim := v1.PersistentVolumeReclaimDelete
	if opts.StorageClass.ReclaimPolicy != nil {
		reclaim = *opts.StorageClass.ReclaimPolicy
	}
	filesystem := v1.PersistentVolumeFilesystem
	return &v1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: opts.PVName},
		Spec: v1.PersistentVolumeSpec{
			PersistentVolumeReclaimPolicy: reclaim,
			AccessModes:                   opts.PVC.Spec.AccessModes,
			VolumeMode:                    &filesystem,
			StorageClassName:              opts.StorageClass.Name,
			MountOptions:                  opts.StorageClass.MountOptions,
			Capacity:                      v1.ResourceList{v1.ResourceStorage: opts.PVC.Spec.Resources.Requests[v1.ResourceStorage]},
			PersistentVolumeSource: v1.PersistentVolumeSource{
				Local: &v1.LocalVolumeSource{Path: path},
			},
			NodeAffinity: &v1.VolumeNodeAffinity{Required: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{
				MatchExpressions: []v1.NodeSelectorRequirement{{
					Key: "kubernetes.io/hostname", Operator: v1.NodeSelectorOpIn, Values: []string{node},
				}},
			}}}},
		},
	}, controller.ProvisioningFinished, nil
}

func (l *localVolumes) Delete(_ context.Context, pv *v1.PersistentVolume) error {
	if pv.Spec.Local == nil || !strings.HasPrefix(pv.Spec.Local.Path, l.dir+string(os.PathSeparator)) {
		return &controller.IgnoredError{Reason: "not a volume of this provisioner's folder"}
	}
	return os.RemoveAll(pv.Spec.Local.Path)
}

// runLocalVolumes: localcluster local-volumes --kubeconfig K --dir D --node N [--name P].
func runLocalVolumes() int {
	var kubeconfig, dir, node, name string
	cmd := &cobra.Command{
		Use:          "local-volumes",
		Short:        "provisions local PersistentVolumes under one folder of the single real node",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" || node == "" {
				return fmt.Errorf("--dir and --node are required")
			}
			config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
			if err != nil {
				return err
			}
			client, err := kubernetes.NewForConfig(config)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			ctx := cmd.Context()
			pc := controller.NewProvisionController(ctx, client, name, &localVolumes{dir: filepath.Clean(dir), node: node},
				controller.LeaderElection(false))
			klog.InfoS("provisioning local volumes", "provisioner", name, "dir", dir, "node", node)
			pc.Run(ctx)
			return nil
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the provisioner")
	cmd.Flags().StringVar(&dir, "dir", "", "folder holding the volumes")
	cmd.Flags().StringVar(&node, "node", "", "the node the volumes live on")
	cmd.Flags().StringVar(&name, "name", "hostplane.dev/local-volume", "provisioner name of the StorageClass")
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	cmd.Flags().AddGoFlagSet(klogFlags)
	return cli.Run(cmd)
}
