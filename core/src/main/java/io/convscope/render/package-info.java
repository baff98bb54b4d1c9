/**
 * The renderer: turns plain float results into pictures. It never runs a network (no DJL here); it
 * takes {@code float[]} maps and {@link java.awt.image.BufferedImage}s and writes PNG and GIF files.
 *
 * <ul>
 *   <li>{@link io.convscope.render.Normalization} turns a layer's channels ({@code float[]} in CHW
 *       order) into {@link io.convscope.render.Heatmap}s of unit values, flagging dead channels;</li>
 *   <li>{@link io.convscope.render.Colormap} maps unit values to colours (matplotlib's tables);</li>
 *   <li>{@link io.convscope.render.Grid} lays tiles out under a title with captions
 *       ({@link io.convscope.render.GridLayout} is the arithmetic), {@link io.convscope.render.Compose}
 *       stacks finished sheets;</li>
 *   <li>{@link io.convscope.render.Text} is the bitmap font every label uses;</li>
 *   <li>{@link io.convscope.render.Png} and {@link io.convscope.render.Gif} write files atomically
 *       ({@link io.convscope.util.AtomicFiles}); {@link io.convscope.render.LinePlot} draws loss curves;
 *       {@link io.convscope.render.Html} escapes text for index pages.</li>
 * </ul>
 *
 * <p>Images are {@code TYPE_INT_RGB} and are drawn through their pixel arrays
 * ({@link io.convscope.render.Images}), never with AWT fonts or antialiasing, so the same input gives
 * the same pixels on every machine. The static helpers are thread-safe; the builders
 * ({@code Grid}, {@code Gif}, {@code LinePlot}) are meant for one thread each.
 */
package io.convscope.render;
