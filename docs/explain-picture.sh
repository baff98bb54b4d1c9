#!/bin/sh
# Regenerates docs/images/explain-chelsea-squeezenet.png, the README's Explain picture: SqueezeNet 1.1
# (the ONNX fixture in ../shared/fixtures) explaining "Egyptian cat" for chelsea.png with seven methods.
# Run from the repository root; takes a few minutes on two CPU cores.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
fixtures="$here/../shared/fixtures"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$here/convscope" explain --model "$fixtures/models/squeezenet1.1/model.onnx" --preprocess torch \
  --labels "$fixtures/models/squeezenet1.1/labels.txt" "$fixtures/images/chelsea.png" --class 'Egyptian cat' \
  --method saliency,integrated-gradients,guided-backprop,gradcam,layercam,occlusion,rise --masks 1000 \
  --window 32 --stride 16 --metrics deletion,insertion -o "$out"
cp "$out/chelsea/panel.png" "$here/docs/images/explain-chelsea-squeezenet.png"
cp "$out/chelsea/occlusion-Egyptian_cat.png" "$here/docs/images/explain-chelsea-occlusion.png"
cp "$out/explain.csv" "$here/docs/images/explain-chelsea-squeezenet.csv"
