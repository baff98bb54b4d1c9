package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.UnknownChoiceException;
import io.convscope.activations.LayerStats;
import io.convscope.image.Resize;
import io.convscope.optimize.GradientImages;
import io.convscope.optimize.Optimizer;
import io.convscope.render.Colormap;
import io.convscope.render.Normalization;
import io.convscope.style.StyleTransfer;
import picocli.CommandLine;

/**
 * How the command line spells core's settings and parses its choices: the one table from
 * {@link Setting} to flags (core's messages name settings, this turns them into flag advice), and
 * the converters of every named choice, registered once for all commands.
 */
final class Flags {
    private Flags() {
    }

    /** The flag of a setting. The switch has no default: a new setting fails to compile until it has a flag. */
    static String name(Setting s) {
        return switch (s) {
            case MODEL -> "--model";
            case WEIGHTS -> "--weights";
            case NO_TOP -> "--no-top";
            case DEVICE -> "--device";
            case PREPROCESS -> "--preprocess";
            case MEAN -> "--mean";
            case STD -> "--std";
            case SCALE -> "--scale";
            case CHANNEL_ORDER -> "--channel-order";
            case LABELS -> "--labels";
            case SIZE -> "--size";
            case KEEP_SIZE -> "--keep-size";
            case LAYERS -> "--layers";
            case BLOCKS -> "--blocks";
            case ALL -> "--all";
            case CHANNELS -> "--channels";
            case TOP -> "--top";
            case IMAGE -> "--image";
            case STEPS -> "--steps";
            case LR -> "--lr";
            case OCTAVES -> "--octaves";
            case CONTENT_LAYER -> "--content-layer";
            case STYLE_LAYERS -> "--style-layers";
            case STYLE_WEIGHTS -> "--style-weights";
            case GIF_CHANNELS -> "--gif-channels";
            case OUT -> "--out";
            case METHOD -> "--method";
            case CLASS -> "--class";
            case LAYER -> "--layer";
            case SCORE -> "--score";
            case BATCH -> "--batch";
            case BASELINE -> "--baseline";
            case TOLERANCE -> "--tolerance";
            case NOISE -> "--noise";
            case SAMPLES -> "--samples";
            case SMOOTH -> "--smooth";
            case WINDOW -> "--window";
            case STRIDE -> "--stride";
            case MASKS -> "--masks";
            case SEED -> "--seed";
            case METRICS -> "--metrics";
            case METRIC_STEPS -> "--metric-steps";
            case OPACITY -> "--opacity";
            case COLORMAP -> "--colormap";
            case SANITY_LAYERS -> "--sanity-layers";
            case SCORECAM_CHANNELS -> "--scorecam-channels";
        };
    }

    /** A core error as the command line says it: settings as flags. */
    static String message(ConvscopeException e) {
        return e.message(Flags::name);
    }

    /** Registers the parser of every named choice; an unknown value becomes an {@link UnknownChoiceException}. */
    static void registerConverters(CommandLine cl) {
        cl.registerConverter(Resize.class, Resize.CHOICES::parse);
        cl.registerConverter(Normalization.class, Normalization.CHOICES::parse);
        cl.registerConverter(Colormap.class, Colormap.CHOICES::parse);
        cl.registerConverter(LayerStats.Rank.class, LayerStats.Rank.CHOICES::parse);
        cl.registerConverter(Optimizer.Kind.class, Optimizer.Kind.CHOICES::parse);
        cl.registerConverter(GradientImages.Param.class, GradientImages.Param.CHOICES::parse);
        cl.registerConverter(StyleTransfer.Start.class, StyleTransfer.Start.CHOICES::parse);
        cl.registerConverter(io.convscope.atlas.Projections.Kind.class, io.convscope.atlas.Projections.Kind.CHOICES::parse);
    }

    /** The option a parameter error is about, as the user typed it best: its longest name ("--resize"). */
    static String option(CommandLine.ParameterException ex) {
        if (ex.getArgSpec() instanceof CommandLine.Model.OptionSpec o) {
            return o.longestName();
        }
        return ex.getArgSpec() != null ? ex.getArgSpec().paramLabel() : "value";
    }
}
