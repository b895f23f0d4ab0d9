#!/usr/bin/env python3
"""Writes timm reference cases for ViT Arena's verifier (format: reference/README.md).

Three kinds of output, one per subcommand:

  model     NAME.json, NAME.weights.safetensors, NAME.io.safetensors: a small timm model,
            randomly initialised by timm and then perturbed (Gaussian noise, std 0.05), with
            its eval logits, training logits, loss and the gradient of every parameter.
  adamw     NAME.json, NAME.init.safetensors, NAME.after3.safetensors: three AdamW steps.
  resample  resample.safetensors: position-embedding resampling and bicubic resizing.
  check     prints the torch, timm and safetensors versions, or fails.

Examples (the exact commands behind reference/ are in reference/README.md):

  python3 make_reference.py model --class timm.models.vision_transformer.VisionTransformer \
      --kwargs '{"img_size": 32, "patch_size": 8, "num_classes": 10, "embed_dim": 32, "depth": 2, "num_heads": 2}' \
      --seed 10 --name vit --out reference
  python3 make_reference.py adamw --class timm.models.vision_transformer.VisionTransformer \
      --kwargs '{...}' --seed 50 --name vit_adamw --out reference
  python3 make_reference.py resample --seed 60 --out reference

Everything runs in float32 on the CPU. The training pass must be deterministic: a model whose
training forward is stochastic (timm's SwinTransformer defaults to drop_path_rate=0.1) is refused;
pass drop_path_rate=0.0 (and no dropout) in the kwargs. Needs torch, timm and safetensors only.
"""
import argparse
import importlib
import json
import os
import sys

import torch
import torch.nn.functional as F


def import_timm():
    """Imports timm. timm imports torchvision; a torchvision whose compiled operators do not load
    (a CUDA build beside a CPU torch) fails on import while registering fake kernels for them.
    The models need none of those operators, so that registration is skipped and the import retried."""
    try:
        import torchvision  # noqa: F401
    except RuntimeError as e:
        if "torchvision::" not in str(e):
            raise
        for k in [k for k in sys.modules if k == "torchvision" or k.startswith("torchvision.")]:
            del sys.modules[k]
        real = torch.library.register_fake
        torch.library.register_fake = lambda op, *a, **k: (
            (lambda fn: fn) if str(op).startswith("torchvision::") else real(op, *a, **k))
        try:
            import torchvision  # noqa: F401
        finally:
            torch.library.register_fake = real
    import timm
    return timm


def save(tensors, path):
    from safetensors.torch import save_file
    save_file({k: v.detach().contiguous() for k, v in tensors.items()}, path)


def write_json(obj, path):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def build(class_name, kwargs, seed):
    """timm's class built from kwargs under torch.manual_seed(seed), every parameter then perturbed."""
    import_timm()
    module_name, _, cls_name = class_name.rpartition(".")
    if not module_name:
        sys.exit(f"--class must be fully qualified (e.g. timm.models.vision_transformer.VisionTransformer), got {class_name}")
    cls = getattr(importlib.import_module(module_name), cls_name)
    torch.manual_seed(seed)
    model = cls(**kwargs).float()
    with torch.no_grad():
        # so that biases, LayerNorm affine terms, LayerScale gammas and position tables are non-trivial
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return model


def image_size(model, kwargs, override):
    if override:
        return override
    size = kwargs.get("img_size", getattr(model, "default_cfg", {}).get("input_size", (3, 224, 224))[1:])
    return (size, size) if isinstance(size, int) else tuple(size)


def is_distilled(model):
    return hasattr(model, "set_distilled_training") and getattr(model, "dist_token", None) is not None


def check_deterministic(model, x):
    """Refuses a model with dropout or drop-path active in training mode, or whose training forward
    differs between two draws: a reference's training pass must be deterministic."""
    active = sorted({f"{type(m).__name__}({getattr(m, 'drop_prob', None) or getattr(m, 'p', None)})" for m in model.modules()
                     if (getattr(m, "drop_prob", 0) or 0) > 0 or (isinstance(m, torch.nn.modules.dropout._DropoutNd) and m.p > 0)})
    model.train()
    with torch.no_grad():
        torch.manual_seed(1)
        a = model(x)
        torch.manual_seed(2)
        b = model(x)
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    if active or any(not torch.equal(u, v) for u, v in zip(a, b)):
        sys.exit("the training forward is stochastic (" + (", ".join(active) or "two draws differ") + "): references "
                 "must be deterministic; pass drop_path_rate=0.0 and no dropout (drop_rate, proj_drop_rate, "
                 "attn_drop_rate = 0.0) in --kwargs")


def make_model_case(args):
    kwargs = json.loads(args.kwargs)
    model = build(args.class_name, kwargs, args.seed)
    h, w = image_size(model, kwargs, args.img_size)
    classes = model.num_classes
    gen = torch.Generator().manual_seed(args.seed + 1)
    x = torch.randn(2, 3, h, w, generator=gen)
    target = torch.randint(0, classes, (2,), generator=gen)
    target_dist = torch.randint(0, classes, (2,), generator=gen)
    distilled = is_distilled(model)
    if distilled:
        model.set_distilled_training(True)
    check_deterministic(model, x)

    model.eval()
    with torch.no_grad():
        eval_logits = model(x)

    model.train()
    model.zero_grad(set_to_none=True)
    out = model(x)
    io = {"input": x, "target": target, "target_dist": target_dist, "eval_logits": eval_logits}
    if distilled:
        cls_logits, dist_logits = out
        loss = 0.5 * F.cross_entropy(cls_logits, target) + 0.5 * F.cross_entropy(dist_logits, target_dist)
        io["train_logits_cls"], io["train_logits_dist"] = cls_logits, dist_logits
        loss_doc = "cross_entropy(mean) 0.5*ce(cls,target)+0.5*ce(dist,target_dist), distilled_training=True"
    else:
        loss = F.cross_entropy(out, target)
        io["train_logits"] = out
        loss_doc = "cross_entropy(mean)"
    loss.backward()
    io["loss"] = loss.reshape(1)
    for name, p in model.named_parameters():
        io["grad." + name] = p.grad if p.grad is not None else torch.zeros_like(p)

    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, args.name)
    params = sum(p.numel() for p in model.parameters())
    write_json({"class": args.class_name, "kwargs": kwargs, "seed": args.seed, "loss": loss_doc, "params": params},
               stem + ".json")
    save(model.state_dict(), stem + ".weights.safetensors")
    save(io, stem + ".io.safetensors")
    print(f"{args.name}: {args.class_name} {params} params, loss {loss.item():.6f} -> {stem}.*")


def make_adamw_trace(args):
    kwargs = json.loads(args.kwargs)
    model = build(args.class_name, kwargs, args.seed)
    h, w = image_size(model, kwargs, args.img_size)
    steps = 3
    gen = torch.Generator().manual_seed(args.seed + 1)
    inputs = torch.randn(steps, 2, 3, h, w, generator=gen)
    targets = torch.randint(0, model.num_classes, (steps, 2), generator=gen)
    check_deterministic(model, inputs[0])
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, args.name)
    save(model.state_dict(), stem + ".init.safetensors")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05)
    model.train()
    losses = []
    for s in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(inputs[s]), targets[s], label_smoothing=0.1)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    after = {"inputs": inputs, "targets": targets, "losses": torch.tensor(losses, dtype=torch.float32)}
    after.update(model.state_dict())
    save(after, stem + ".after3.safetensors")
    write_json({"optimizer": "torch.optim.AdamW lr=1e-3 betas=(0.9,0.999) eps=1e-8 weight_decay=0.05 (decay on every parameter)",
                "loss": "cross_entropy(mean, label_smoothing=0.1)", "steps": steps, "losses": losses,
                "class": args.class_name, "seed": args.seed, "model": kwargs}, stem + ".json")
    print(f"{args.name}: AdamW x{steps} on {args.class_name}, losses {losses} -> {stem}.*")


def make_resample(args):
    timm = import_timm()  # noqa: F841
    from timm.layers import resample_abs_pos_embed
    gen = torch.Generator().manual_seed(args.seed)
    posemb = torch.randn(1, 17, 64, generator=gen)
    image = torch.randint(0, 256, (1, 3, 64, 64), generator=gen).float()
    out = {
        "posemb": posemb,
        "posemb_6x6": resample_abs_pos_embed(posemb, new_size=(6, 6), old_size=(4, 4), num_prefix_tokens=1),
        "image": image,
        "bicubic_96": F.interpolate(image, size=(96, 96), mode="bicubic", align_corners=False),
        "bicubic_aa_40": F.interpolate(image, size=(40, 40), mode="bicubic", align_corners=False, antialias=True),
    }
    os.makedirs(args.out, exist_ok=True)
    save(out, os.path.join(args.out, "resample.safetensors"))
    print(f"resample -> {os.path.join(args.out, 'resample.safetensors')}")


def check(args):
    """Prints the versions the generator would use, or fails if torch, timm or safetensors is missing."""
    timm = import_timm()
    import safetensors
    print(f"torch {torch.__version__} timm {timm.__version__} safetensors {safetensors.__version__}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="kind", required=True)
    sub.add_parser("check", help="print the torch, timm and safetensors versions, or fail")
    for kind in ("model", "adamw"):
        p = sub.add_parser(kind, help="a model case" if kind == "model" else "an AdamW trace (3 steps)")
        p.add_argument("--class", dest="class_name", required=True, help="fully qualified timm class")
        p.add_argument("--kwargs", default="{}", help="constructor arguments, JSON")
        p.add_argument("--seed", type=int, required=True)
        p.add_argument("--name", required=True, help="case name: the files are NAME.*")
        p.add_argument("--out", required=True, help="output folder")
        p.add_argument("--img-size", type=int, nargs=2, metavar=("H", "W"), help="input size (default: kwargs img_size)")
    p = sub.add_parser("resample", help="resample.safetensors")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_default_dtype(torch.float32)
    torch.use_deterministic_algorithms(True)
    {"check": check, "model": make_model_case, "adamw": make_adamw_trace, "resample": make_resample}[args.kind](args)


if __name__ == "__main__":
    main()
