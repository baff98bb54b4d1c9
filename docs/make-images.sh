#!/usr/bin/env bash
# Regenerates the pictures README.md shows, each from the command the README gives for it, so that
# the pictures and the commands cannot drift apart: run it whenever outputs change, look at the
# pictures, and commit them with the change.
#
#   docs/make-images.sh [-o DIR] [NAME...]
#
# -o DIR   write the pictures into DIR instead of docs/images (e.g. to compare before committing)
# NAME     only these pictures: activations swirls classviz filters reconstruct style (default: all)
#
# Pictures of the SqueezeNet fixture (classviz, filters, reconstruct, style) need ../shared/fixtures;
# without it they are skipped with a message. Each command runs into a temporary folder and only the
# picture the README shows is copied, so the README's output names are the only ones that matter.
# Slow: classviz and style take many minutes on a laptop CPU.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=docs/images
if [[ "${1:-}" == "-o" ]]; then
    OUT=${2:?"-o needs a folder"}
    shift 2
fi
WANT=("$@")
if [[ ${#WANT[@]} -eq 0 ]]; then
    WANT=(activations swirls classviz filters reconstruct style)
fi
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

CS=./convscope
FIX=${CONVSCOPE_FIXTURES:-../shared/fixtures}   # another copy of the fixtures: CONVSCOPE_FIXTURES=DIR
F=$FIX/models/squeezenet1.1          # as in the README
IMAGES=$FIX/images
made=()

wanted() {
    local n
    for n in "${WANT[@]}"; do
        [[ "$n" == "$1" ]] && return 0
    done
    return 1
}

# copy SRC NAME: the picture SRC becomes $OUT/NAME
copy() {
    if [[ ! -f "$1" ]]; then
        echo "make-images: $1 was not written (did the command's output names change?)" >&2
        exit 1
    fi
    cp "$1" "$OUT/$2"
    made+=("$OUT/$2")
    echo "make-images: $OUT/$2"
}

# the one file matching a glob (layer numbers may change; the layer's name does not)
one() {
    local matches=()
    local m
    for m in $1; do
        [[ -f "$m" ]] && matches+=("$m")
    done
    if [[ ${#matches[@]} -ne 1 ]]; then
        echo "make-images: expected one file for $1, found ${#matches[@]}" >&2
        exit 1
    fi
    echo "${matches[0]}"
}

has_fixtures() {
    if [[ -f "$F/model.onnx" && -d "$IMAGES" ]]; then
        return 0
    fi
    echo "make-images: skipping $1: $FIX is absent (the SqueezeNet fixture and photos)" >&2
    return 1
}

# README "first command": the embedded model on the sneaker
if wanted activations; then
    $CS activations -o "$TMP/activations" samples/fashion-mnist/7_sneaker.png
    copy "$(one "$TMP/activations/7_sneaker/*_block1_conv2.png")" activations-7_sneaker-block1_conv2.png
fi

# the procedural style image (a test class: it is not part of the library)
if wanted swirls || wanted style; then
    mvn -B -o -q -DskipTests test-compile -pl core
    java -cp core/target/classes:core/target/test-classes io.convscope.style.Swirls "$TMP/style-swirls.png" 256
    if wanted swirls; then
        copy "$TMP/style-swirls.png" style-swirls.png
    fi
fi

if wanted classviz && has_fixtures classviz; then
    $CS classviz --model $F/model.onnx --preprocess torch --labels $F/labels.txt \
        --class "Egyptian cat,goldfish,volcano,espresso,daisy" -o "$TMP/classviz"
    copy "$TMP/classviz/classes.png" classviz-squeezenet.png
fi

if wanted filters && has_fixtures filters; then
    $CS filters --model $F/model.onnx --preprocess torch --layer squeezenet0_concat1 --channels 0-63 --size 96 --steps 96 \
        -o "$TMP/filters"
    copy "$TMP/filters/squeezenet0_concat1.png" filters-squeezenet-concat1.png
fi

if wanted reconstruct && has_fixtures reconstruct; then
    $CS reconstruct --model $F/model.onnx --preprocess torch -o "$TMP/reconstruct" $IMAGES/chelsea.png
    copy "$TMP/reconstruct/chelsea/panel.png" reconstruct-squeezenet-chelsea.png
fi

if wanted style && has_fixtures style; then
    # the README's two commands, with -o in the temporary folder and the style image just drawn
    $CS style --model $F/model.onnx --preprocess torch --size 320 --gif --losses \
        -o "$TMP/style-chelsea-squeezenet.png" $IMAGES/chelsea.png "$TMP/style-swirls.png"
    $CS style --model $F/model.onnx --preprocess torch --size 240 --preserve-colors \
        -o "$TMP/style-chelsea-squeezenet-colors.png" $IMAGES/chelsea.png "$TMP/style-swirls.png"
    copy "$TMP/style-chelsea-squeezenet.png" style-chelsea-squeezenet.png
    copy "$TMP/style-chelsea-squeezenet-losses.png" style-chelsea-squeezenet-losses.png
    copy "$TMP/style-chelsea-squeezenet-colors.png" style-chelsea-squeezenet-colors.png
fi

echo "make-images: ${#made[@]} pictures in $OUT"
