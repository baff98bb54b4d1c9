#!/usr/bin/python3
"""The Python side of io.convscope.engine.NetworkPassBenchmark: torchvision's squeezenet1_1 with the
ONNX fixture's weights (../shared/peer-bench/sqz.py) at 224 px, batch 1 and 16, in the peers'
environment (2 threads; run it with OMP_NUM_THREADS=2 ONEDNN_MAX_CPU_ISA=AVX2 as below):
forward under no_grad (as predict.py), and forward + backward to the input of one class score with
the weights not requiring gradients (as classviz.py). Prints the median milliseconds of each; with
`profile` it also prints torch.profiler's per-operator table of one forward + backward.

  OMP_NUM_THREADS=2 ONEDNN_MAX_CPU_ISA=AVX2 /usr/bin/python3 bench/network_pass.py [model.onnx [runs [profile]]]
"""
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "shared", "peer-bench"))
import torch  # noqa: E402
import sqz  # noqa: E402

torch.set_num_threads(2)


def median_ms(runs, f):
    t = []
    for i in range(runs + 3):
        t0 = time.perf_counter()
        f()
        t.append((time.perf_counter() - t0) * 1e3)
    s = sorted(t[3:])
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "fixtures", "models",
                                                              "squeezenet1.1", "model.onnx")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    profile = len(sys.argv) > 3 and sys.argv[3] == "profile"
    net = sqz.load(model)
    print(f"torchvision squeezenet1_1 at 224 px; torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"inter-op {torch.get_num_interop_threads()}; median ms of {runs} runs after 3 warm-up")
    g = torch.Generator().manual_seed(1)
    for batch in (1, 16):
        x = torch.randn(batch, 3, 224, 224, generator=g)

        def fwd():
            with torch.no_grad():
                net(x).numpy()

        def fwd_bwd():
            xi = x.clone().requires_grad_(True)
            net(xi)[:, 1].sum().backward()
            xi.grad.numpy()

        f = median_ms(runs, fwd)
        fb = median_ms(runs, fwd_bwd)
        print(f"batch {batch:2d}  forward: torch {f:7.1f} ms   forward+backward: torch {fb:7.1f} ms", flush=True)
        if profile:
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True) as p:
                fwd_bwd()
            print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))


if __name__ == "__main__":
    main()
