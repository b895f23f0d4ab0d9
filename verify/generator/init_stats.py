#!/usr/bin/env python3
"""Writes the statistics of timm's initialisation of one model, for ViT Arena's init tests.

For a timm class, its constructor kwargs and several seeds (torch.manual_seed(seed), then the
class built with the kwargs, exactly as timm initialises it), per parameter (state_dict order):

  shape, numel
  mean, std     the tensor's mean and (population) standard deviation, averaged over the seeds
  abs_dev       the mean absolute deviation from the tensor's mean, averaged over the seeds (abs_dev / std
                tells the distribution's shape: 0.798 for a normal, 0.866 for a uniform)
  min, max      the smallest and largest value over all seeds
  constant      the value when every element of every seed is that one value (LayerNorm weight 1,
                zero biases, LayerScale gammas), else null

Output: one JSON file {class, kwargs, seeds, torch, timm, params: {name: {...}}}. The Java init
tests (VitInitTest, DeitInitTest, CaitInitTest, SwinInitTest) build the same model with the
family's provider over as many seeds and compare each tensor with these figures.

Example (the exact commands behind reference/init/ are in reference/README.md):

  python3 init_stats.py --class timm.models.swin_transformer.SwinTransformer \
      --kwargs '{"img_size": 64, "patch_size": 4, "window_size": 8, "embed_dim": 32, "depths": [2, 2],
                 "num_heads": [2, 4], "num_classes": 10, "drop_path_rate": 0.0}' \
      --seeds 8 --out reference/init/swin_demo.json
"""
import argparse
import importlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import import_timm  # noqa: E402  (timm import with the torchvision workaround)


def stats(class_name, kwargs, seeds):
    timm = import_timm()
    module_name, _, cls_name = class_name.rpartition(".")
    cls = getattr(importlib.import_module(module_name), cls_name)
    per = {}
    for seed in range(seeds):
        torch.manual_seed(seed)
        model = cls(**kwargs).float()
        for name, p in model.named_parameters():
            v = p.detach().double().flatten()
            s = per.setdefault(name, dict(shape=list(p.shape), numel=v.numel(), means=[], stds=[], devs=[], min=float("inf"),
                                          max=float("-inf"), values=set()))
            s["means"].append(v.mean().item())
            s["stds"].append(v.std(unbiased=False).item())
            s["devs"].append((v - v.mean()).abs().mean().item())
            s["min"] = min(s["min"], v.min().item())
            s["max"] = max(s["max"], v.max().item())
            if len(s["values"]) <= 1:
                s["values"].update(torch.unique(v).tolist()[:2])
    out = {}
    for name, s in per.items():
        constant = next(iter(s["values"])) if len(s["values"]) == 1 else None
        out[name] = dict(shape=s["shape"], numel=s["numel"], mean=sum(s["means"]) / seeds, std=sum(s["stds"]) / seeds,
                         abs_dev=sum(s["devs"]) / seeds,
                         min=s["min"], max=s["max"], constant=constant)
    return timm.__version__, torch.__version__, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--class", dest="cls", required=True, help="fully qualified timm class")
    ap.add_argument("--kwargs", required=True, help="constructor kwargs as JSON")
    ap.add_argument("--seeds", type=int, default=8, help="seeds 0..N-1 (default 8)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    kwargs = json.loads(a.kwargs)
    timm_version, torch_version, params = stats(a.cls, kwargs, a.seeds)
    with open(a.out, "w") as f:
        json.dump({"class": a.cls, "kwargs": kwargs, "seeds": a.seeds, "timm": timm_version, "torch": torch_version,
                   "params": params}, f, indent=1)
        f.write("\n")
    print(f"{a.out}: {len(params)} tensors, {sum(p['numel'] for p in params.values())} values, seeds 0..{a.seeds - 1}")


if __name__ == "__main__":
    main()
