package io.convscope.render;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * convscope's one maker of {@code index.html} pages (activations, classviz, filters, reconstruct,
 * style): a sticky side bar of links to every section, sections that fold ({@code <details>}, each
 * with an id the side bar links to), pictures at their natural size in scrollable boxes (a click
 * opens them full size), tiles of a picture that open a channel (an image map), a colour bar, tables
 * and links to the files a run wrote. Self-contained: inline CSS and a few lines of script, no
 * external assets; every text is escaped and every link is a relative path.
 *
 * <pre>{@code
 * Html.Page p = new Html.Page("Class visualization of vgg16", files);
 * p.section("classes", "Classes", 1, true);
 * p.add(p.picture("classes.png", "every class"));
 * p.end();
 * String html = p.html();
 * }</pre>
 */
public final class Html {
    private Html() {
    }

    /** {@code s} with {@code & < > " '} replaced by entities, safe in element text and quoted attributes. */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A relative URL for a file path: each byte outside letters, digits and {@code -_./~} percent-encoded. */
    public static String href(String file) {
        StringBuilder sb = new StringBuilder();
        for (byte x : file.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if (c < 128 && (Character.isLetterOrDigit(c) || "-_./~".indexOf(c) >= 0)) {
                sb.append((char) c);
            } else {
                sb.append(String.format(Locale.ROOT, "%%%02X", c));
            }
        }
        return sb.toString();
    }

    /** The page's style: a side bar, folding sections, scroll boxes at natural size, the tile viewer. */
    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:0;background:#fafafa;color:#222;display:flex}
            nav{position:sticky;top:0;height:100vh;overflow:auto;width:15em;flex:none;background:#f0f0f0;border-right:1px solid #ccc;\
            padding:.8em;box-sizing:border-box;font-size:90%}
            nav a{display:block;text-decoration:none;padding:1px 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
            nav a.d2{display:inline-block;margin-left:.9em;font-size:88%;max-width:11em;vertical-align:top}nav .d3{padding-left:2em;font-size:95%}nav b{display:block;margin-top:.6em}
            main{flex:1;min-width:0;padding:0 1.5em 3em}
            details{margin:.4em 0;border-left:3px solid #ddd;padding-left:.7em}details[open]{border-left-color:#8ab}
            summary{cursor:pointer}summary>h2,summary>h3,summary>h4{display:inline;margin:0}summary{margin:.5em 0}
            img{border:1px solid #ddd;background:#fff;vertical-align:top}
            .box{overflow:auto;max-width:100%;max-height:75vh;display:inline-block;position:relative;border:1px solid #ccc}
            .box img{max-width:none;border:0}.thumb{max-width:240px;max-height:240px;image-rendering:auto}
            .hl{position:absolute;outline:3px solid #f0f;pointer-events:none;display:none}
            table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;border:1px solid #ddd;text-align:right}
            th{background:#eee}td.l,th.l{text-align:left}
            figure{display:inline-block;margin:0 12px 12px 0;vertical-align:top;max-width:100%}figcaption{font-size:90%;max-width:60em}
            code{background:#eee;padding:0 3px}.muted{color:#666}.pred{font-size:90%;margin:.2em 0}
            .bar{display:inline-block;vertical-align:middle;width:258px;margin:0 1em 0 0}
            .bar .g{display:block;height:14px;border:1px solid #999}.bar .t{display:inline-block;font-size:80%;white-space:nowrap}
            #zoom{position:fixed;inset:0;background:rgba(0,0,0,.75);display:none;align-items:center;justify-content:center;z-index:9}
            #zoom div{background:#fff;padding:1em;max-width:90vw;max-height:90vh;overflow:auto}
            #zoom canvas{image-rendering:pixelated;display:block;margin:.5em 0}
            """;

    /**
     * Tiles: a click on an area without a file of its own highlights the tile in its grid and shows
     * it enlarged (Escape or a click closes it).
     */
    private static final String SCRIPT = """
            document.addEventListener('click',function(e){var i=e.target.closest('img[data-tiles]'),z=document.getElementById('zoom');
            if(!i){if(e.target.closest('#zoom'))z.style.display='none';return;}
            var t=i.dataset.tiles.split(',').map(Number),x=e.offsetX-t[0],y=e.offsetY-t[1],col=Math.floor(x/t[2]),row=Math.floor(y/t[3]);
            var c=row*t[6]+col;if(x<0||y<0||col>=t[6]||x-col*t[2]>=t[4]||y-row*t[3]>=t[5]||c>=t[7])return;
            if(i.dataset.href){location.href=i.dataset.href.replace('%7Bc%7D',String(c).padStart(+i.dataset.pad,'0'));return;}
            var hl=i.parentNode.querySelector('.hl'),X=t[0]+col*t[2],Y=t[1]+row*t[3],w=t[4],h=t[5];
            hl.style.left=X+'px';hl.style.top=Y+'px';hl.style.width=w+'px';hl.style.height=h+'px';hl.style.display='block';
            var s=Math.max(1,Math.floor(384/Math.max(w,h))),cv=z.querySelector('canvas');cv.width=w*s;cv.height=h*s;
            var g=cv.getContext('2d');g.imageSmoothingEnabled=false;g.drawImage(i,X,Y,w,h,0,0,w*s,h*s);
            z.querySelector('p').textContent=i.dataset.title+c;z.style.display='flex';});
            document.addEventListener('keydown',function(e){if(e.key==='Escape')document.getElementById('zoom').style.display='none';});
            """;


    /**
     * The tiles of a grid picture, in its pixels: {@code count} tiles of {@code width × height}, the
     * first at ({@code x}, {@code y}), {@code columns} per row, {@code stepX} and {@code stepY} apart. A
     * click on tile {@code c} opens {@code target} with {@code {c}} replaced by {@code c} padded to
     * {@code digits} digits, or (target null) outlines the tile and shows it enlarged, titled
     * {@code title + c}. Described by numbers, not by an area per tile: the page stays small with
     * thousands of channels.
     */
    public record Tiles(int x, int y, int stepX, int stepY, int width, int height, int columns, int count, String target,
                        int digits, String title) {
        /** Tile {@code c}'s rectangle: {x, y, width, height}. */
        public int[] tile(int c) {
            return new int[] {x + (c % columns) * stepX, y + (c / columns) * stepY, width, height};
        }
    }

    /**
     * A page being written: sections in order, each listed in the side bar. Links and pictures name
     * files relative to the page; those the run did not write are shown as plain text (or not at all).
     */
    public static final class Page {
        private final String title;
        private final Set<String> written;
        private final StringBuilder nav = new StringBuilder();
        private final StringBuilder body = new StringBuilder(8192);
        private final List<String> ids = new ArrayList<>();
        private int open;

        /** A page titled {@code title} over the files a run wrote ({@code written}, relative paths). */
        public Page(String title, Collection<String> written) {
            this.title = title;
            this.written = Set.copyOf(written);
            body.append("<h1>").append(escape(title)).append("</h1>\n");
        }

        /** Whether the run wrote {@code file}. */
        public boolean wrote(String file) {
            return written.contains(file);
        }

        /** Every id a section of the page has, in order (each is also linked from the side bar). */
        public List<String> ids() {
            return List.copyOf(ids);
        }

        /** A heading in the side bar that is no link (a group of sections, such as "Layers"). */
        public Page navHeading(String text) {
            nav.append("<b>").append(escape(text)).append("</b>\n");
            return this;
        }

        /**
         * Opens a section: a {@code <details>} with id {@code id}, heading {@code heading} of level
         * {@code depth + 1} (1: h2), open or folded, listed in the side bar under {@code navText}. Close it with {@link #end}.
         */
        public Page section(String id, String heading, String navText, int depth, boolean expanded) {
            ids.add(id);
            nav.append("<a class=\"d").append(depth).append("\" href=\"#").append(escape(id)).append("\">")
                    .append(escape(navText)).append("</a>\n");
            int h = Math.min(6, depth + 1);
            body.append("<details id=\"").append(escape(id)).append('"').append(expanded ? " open" : "").append("><summary><h")
                    .append(h).append('>').append(escape(heading)).append("</h").append(h).append("></summary>\n");
            open++;
            return this;
        }

        /** {@link #section(String, String, String, int, boolean)} listed under its heading. */
        public Page section(String id, String heading, int depth, boolean expanded) {
            return section(id, heading, heading, depth, expanded);
        }

        /** Closes the section opened last. */
        public Page end() {
            if (open == 0) {
                throw new IllegalStateException("no section open");
            }
            open--;
            body.append("</details>\n");
            return this;
        }

        /** Adds HTML (made with this page's helpers or escaped). */
        public Page add(String html) {
            body.append(html);
            return this;
        }

        /** Adds a paragraph of plain text. */
        public Page paragraph(String text) {
            body.append("<p>").append(escape(text)).append("</p>\n");
            return this;
        }

        /** Adds a section (id {@code files}) listing {@code files}, each linked when it was written. */
        public Page files(String heading, List<String> files, boolean expanded) {
            section("files", heading, 1, expanded);
            body.append("<ul>\n");
            for (String f : files) {
                body.append("<li>").append(link(f)).append("</li>\n");
            }
            body.append("</ul>\n");
            return end();
        }

        /** A link to {@code file} showing its name (plain text when it was not written). */
        public String link(String file) {
            return link(file, file);
        }

        /** A link to {@code file} showing {@code text} (plain text when it was not written). */
        public String link(String file, String text) {
            if (!wrote(file)) {
                return escape(text);
            }
            return "<a href=\"" + escape(href(file)) + "\">" + escape(text) + "</a>";
        }

        /** Links to each written file of {@code files}, separated by commas. */
        public String links(List<String> files) {
            List<String> out = new ArrayList<>();
            for (String f : files) {
                if (wrote(f)) {
                    out.add(link(f));
                }
            }
            return String.join(", ", out);
        }

        /**
         * A figure of {@code file} at its natural size in a scrollable box (a click opens it alone), with
         * the caption "{@code caption}: link"; nothing when it was not written.
         */
        public String picture(String file, String caption) {
            return picture(file, caption, null);
        }

        /** {@link #picture(String, String)} whose {@code tiles} open their channel (see {@link Tiles}). */
        public String picture(String file, String caption, Tiles tiles) {
            if (!wrote(file)) {
                return "";
            }
            StringBuilder s = new StringBuilder(512).append("<figure><div class=\"box\">");
            if (tiles == null) {
                s.append("<a href=\"").append(escape(href(file))).append("\">");
            }
            s.append("<img src=\"").append(escape(href(file))).append("\" alt=\"").append(escape(caption)).append("\" loading=\"lazy\"");
            if (tiles == null) {
                s.append("></a>");
            } else {
                s.append(String.format(Locale.ROOT, " data-tiles=\"%d,%d,%d,%d,%d,%d,%d,%d\" data-title=\"%s\"", tiles.x(), tiles.y(),
                        tiles.stepX(), tiles.stepY(), tiles.width(), tiles.height(), tiles.columns(), tiles.count(), escape(tiles.title())));
                if (tiles.target() != null) {
                    s.append(" data-href=\"").append(escape(href(tiles.target()))).append("\" data-pad=\"").append(tiles.digits()).append('"');
                }
                s.append(" style=\"cursor:pointer\"><span class=\"hl\"></span>");
            }
            return s.append("</div><figcaption>").append(escape(caption)).append(": ").append(link(file))
                    .append("</figcaption></figure>\n").toString();
        }

        /** A small picture of {@code file} (at most 240 px a side) with a caption of HTML {@code captionHtml}, linked to itself. */
        public String thumbnail(String file, String alt, String captionHtml) {
            StringBuilder s = new StringBuilder("<figure>");
            if (wrote(file)) {
                s.append("<a href=\"").append(escape(href(file))).append("\"><img class=\"thumb\" src=\"")
                        .append(escape(href(file))).append("\" alt=\"").append(escape(alt)).append("\"></a>");
            }
            return s.append("<figcaption>").append(captionHtml).append("</figcaption></figure>\n").toString();
        }

        /** The page, with its side bar. */
        public String html() {
            if (open != 0) {
                throw new IllegalStateException(open + " sections still open");
            }
            return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
                    + "</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n<nav>\n<a href=\"#top\"><b>"
                    + escape(title) + "</b></a>\n" + nav + "</nav>\n<main id=\"top\">\n" + body
                    + "</main>\n<div id=\"zoom\"><div><p></p><canvas></canvas><small>Escape or a click closes this.</small></div></div>\n"
                    + "<script>\n" + SCRIPT + "</script>\n</body>\n</html>\n";
        }
    }

    /**
     * A table: a header row, then rows of cells given as HTML; columns listed in {@code left} are
     * aligned left (names), the others right (numbers).
     */
    public static String table(List<String> header, List<List<String>> rows, Set<Integer> left) {
        StringBuilder s = new StringBuilder("<table>\n<tr>");
        for (int c = 0; c < header.size(); c++) {
            s.append(left.contains(c) ? "<th class=\"l\">" : "<th>").append(escape(header.get(c))).append("</th>");
        }
        s.append("</tr>\n");
        for (List<String> r : rows) {
            s.append("<tr>");
            for (int c = 0; c < r.size(); c++) {
                s.append(left.contains(c) ? "<td class=\"l\">" : "<td>").append(r.get(c)).append("</td>");
            }
            s.append("</tr>\n");
        }
        return s.append("</table>\n").toString();
    }

    /**
     * A colour bar: {@code cmap} from entry 0 to 255 as a CSS gradient (17 stops), 256 px wide, with
     * {@code ticks} (plain text) spread evenly under it, the first at the left end and the last at the
     * right.
     */
    public static String colorBar(Colormap cmap, List<String> ticks) {
        int[] lut = cmap.lut();
        StringBuilder s = new StringBuilder("<span class=\"bar\" title=\"colormap ").append(escape(cmap.cliName()))
                .append("\"><span class=\"g\" style=\"background:linear-gradient(to right");
        for (int k = 0; k <= 16; k++) {
            int i = Math.min(255, k * 16);
            s.append(String.format(Locale.ROOT, ",#%06x %.2f%%", lut[i], 100.0 * i / 255));
        }
        s.append(")\"></span>");
        int n = ticks.size();
        int w = n <= 1 ? 256 : 256 / (n - 1);
        for (int k = 0; k < n; k++) {
            // the first and last labels sit half inside the bar; the others centred on their place
            int width = k == 0 || k == n - 1 ? w / 2 : w;
            String align = k == 0 ? "left" : k == n - 1 ? "right" : "center";
            s.append("<span class=\"t\" style=\"width:").append(width).append("px;text-align:").append(align).append("\">")
                    .append(escape(ticks.get(k))).append("</span>");
        }
        return s.append("</span>").toString();
    }
}
