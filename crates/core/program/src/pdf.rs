//! A small PDF 1.4 writer for text reports: A4 pages, the standard Helvetica fonts (no
//! embedding needed, ISO 32000-1 §9.6.2.2), lines wrapped to the page, pages broken as needed.
//! Text is written in WinAnsiEncoding; characters outside it are replaced by ASCII look-alikes.

/// Renders (level, text) lines: level 1–3 are headings, 0 body text.
pub fn render(title: &str, lines: &[(u8, String)]) -> Vec<u8> {
    const TOP: f32 = 800.0;
    const BOTTOM: f32 = 50.0;
    const LEFT: f32 = 50.0;
    let mut pages: Vec<String> = Vec::new();
    let mut page = String::new();
    let mut y = TOP;
    for (level, text) in lines {
        let (font, size, width) = match level {
            1 => ("F2", 16.0, 55),
            2 => ("F2", 13.0, 70),
            3 => ("F2", 11.0, 85),
            _ => ("F1", 9.5, 105),
        };
        let leading = size * 1.35;
        if *level > 0 {
            y -= leading * 0.5;
        }
        for piece in wrap(&ascii(text), width) {
            if y - leading < BOTTOM {
                pages.push(std::mem::take(&mut page));
                y = TOP;
            }
            y -= leading;
            page.push_str(&format!(
                "BT /{font} {size} Tf {LEFT} {y:.1} Td ({}) Tj ET\n",
                escape(&piece)
            ));
        }
    }
    pages.push(page);

    // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, 5 info, then page/content pairs.
    let n = pages.len();
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} >>",
            (0..n)
                .map(|i| format!("{} 0 R", 6 + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .into(),
        format!(
            "<< /Title ({}) /Producer (Postmarket) >>",
            escape(&ascii(title))
        ),
    ];
    for (i, content) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            7 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Replaces characters outside printable ASCII with look-alikes (the content streams are kept
/// ASCII so that their byte length is their character length).
fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' '..='~' => out.push(c),
            '→' => out.push_str("->"),
            '≤' => out.push_str("<="),
            '≥' => out.push_str(">="),
            '§' => out.push_str("sec."),
            '×' => out.push('x'),
            '–' | '—' => out.push('-'),
            '‘' | '’' => out.push('\''),
            '“' | '”' => out.push('"'),
            '\t' | '\n' => out.push(' '),
            _ => out.push('?'),
        }
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// Greedy word wrap at `width` characters; words longer than a line are cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let rest = word.split_off(width);
            lines.push(word);
            word = rest;
        }
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let lines: Vec<(u8, String)> = (0..200)
            .map(|i| {
                (
                    u8::from(i % 50 == 0),
                    format!("line {i} (with parens) → ok"),
                )
            })
            .collect();
        let pdf = render("t", &lines);
        let text: String = pdf.iter().map(|&b| char::from(b)).collect();
        assert!(text.starts_with("%PDF-1.4") && text.trim_end().ends_with("%%EOF"));
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[xref_at..].starts_with(b"xref"));
        let tail = String::from_utf8(pdf[xref_at..].to_vec()).unwrap();
        let entries: Vec<usize> = tail
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .map(|l| l[..10].parse().unwrap())
            .collect();
        for (i, off) in entries.iter().enumerate() {
            assert!(
                pdf[*off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
        assert!(!text.contains("/Count 1 "), "200 lines need several pages");
        assert!(text.contains("\\(with parens\\) -> ok"));
    }

    #[test]
    fn wrap_keeps_words_and_cuts_long_ones() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
    }
}
