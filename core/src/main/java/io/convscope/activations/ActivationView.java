package io.convscope.activations;

import io.convscope.render.Heatmap;

import java.util.List;

/**
 * One kind of picture of an activations run: its name and help line, the files it writes, how it
 * draws them and its part of {@code index.html}. A new view is a class implementing this and one
 * constant in {@link ActivationViews.View} (its registration); the names {@code --views} takes, the
 * command's help, the list of files a run writes ({@link ActivationViews#files}) and the page follow.
 *
 * <p>Implementations hold no state: what a view keeps during a run (the frames of a GIF) lives in
 * {@link Drawing#state}. Drawing methods run on the drawing threads, for different layers and images
 * at once; the files they write must depend only on the activations and the options.
 */
interface ActivationView {
    /** The name {@code --views} takes, lower case ({@code topk}). */
    String name();

    /** Other names {@code --views} takes, lower case without hyphens ({@code top}). */
    default List<String> aliases() {
        return List.of();
    }

    /** What the pictures show, one line for the command's help. */
    String help();

    /** Whether a run draws it when no views are named. */
    default boolean byDefault() {
        return false;
    }

    /** A top-level folder of its own ({@code compare}), which no image's folder may take; null when none. */
    default String folder() {
        return null;
    }

    /** Whether it draws in a run with these options (a view the options name, or one an option asks for). */
    default boolean active(ActivationViews.Options opt) {
        return opt.views().stream().anyMatch(v -> v.view() == this);
    }

    /**
     * The files it writes in a run over {@code plan}'s images and {@code layers} with {@code opt},
     * relative to the output folder: exactly those that its drawing methods write.
     */
    List<String> files(FilePlan plan, List<? extends FilePlan.Layer> layers, ActivationViews.Options opt);

    /** Draws layer {@code l} for image {@code image}; {@code maps} are its channels under the run's normalization. */
    default void draw(Drawing d, LayerActivations l, int image, Heatmap[] maps) {
    }

    /** Draws layer {@code l} over all images (once per layer). */
    default void drawLayer(Drawing d, LayerActivations l) {
    }

    /** Its part of an image's caption in the page's row of inputs. */
    default String inputHtml(IndexPage.Page p, int image) {
        return "";
    }

    /** Its part of layer {@code l}'s section, before the images. */
    default String layerHtml(IndexPage.Page p, LayerActivations l) {
        return "";
    }

    /** Its pictures in layer {@code l}'s section for image {@code image}, before the list of top channels. */
    default String pictureHtml(IndexPage.Page p, LayerActivations l, int image) {
        return "";
    }

    /** Its links in layer {@code l}'s section for image {@code image}, after the list of top channels. */
    default String linkHtml(IndexPage.Page p, LayerActivations l, int image) {
        return "";
    }
}
