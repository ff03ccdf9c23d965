//! A document's pieces in order, with the byte and the line each starts
//! on, kept in blocks that snapshots share: taking a snapshot of 100,000
//! pieces clones a hundred `Arc`s rather than a hundred thousand (3 ms on
//! the message path, measured, before a keystroke behind an outline
//! request could be read), and an edit shifts the blocks after it, not
//! every piece. A block a snapshot holds is copied when an edit touches
//! it, a thousand pieces at most.

use std::ops::Range;
use std::sync::Arc;

use super::Piece;

/// Pieces per block, about: more makes an edit under a snapshot copy
/// more, fewer makes a snapshot clone more blocks.
const BLOCK: usize = 1024;

/// A piece and where it is.
#[derive(Debug, Clone, Copy)]
pub(super) struct At<'p> {
    /// Its index among all the pieces.
    pub index: usize,
    /// Its first byte in the text.
    pub start: usize,
    /// The line it starts on.
    pub line: usize,
    pub piece: &'p Piece,
}

/// A piece to put in, with where it starts.
#[derive(Debug)]
pub(super) struct Placed {
    pub start: usize,
    pub line: usize,
    pub piece: Piece,
}

/// Consecutive pieces; starts and lines are relative to the block's first
/// piece (so shifting a block shifts its base only), in wrapping
/// arithmetic, so that an entry may be worked on before its base is
/// settled.
#[derive(Debug, Clone, Default)]
struct Block {
    pieces: Vec<Piece>,
    starts: Vec<usize>,
    lines: Vec<usize>,
}

/// Where a block's first piece is.
#[derive(Debug, Clone, Copy, Default)]
struct Base {
    index: usize,
    start: usize,
    line: usize,
}

/// See the module's documentation. Every block holds at least one piece.
#[derive(Debug, Clone, Default)]
pub(super) struct Pieces {
    blocks: Vec<Arc<Block>>,
    bases: Vec<Base>,
    len: usize,
}

impl Pieces {
    pub fn len(&self) -> usize {
        self.len
    }

    /// The piece at `index`, which must be below [`Pieces::len`].
    pub fn get(&self, index: usize) -> At<'_> {
        let k = self.block_of(index);
        let (block, base) = (&self.blocks[k], self.bases[k]);
        let i = index - base.index;
        At {
            index,
            start: base.start.wrapping_add(block.starts[i]),
            line: base.line.wrapping_add(block.lines[i]),
            piece: &block.pieces[i],
        }
    }

    /// Every piece from `index` on, in order.
    pub fn iter_from(&self, index: usize) -> impl Iterator<Item = At<'_>> + '_ {
        let first = self.block_of(index);
        self.blocks[first..]
            .iter()
            .zip(&self.bases[first..])
            .flat_map(move |(block, &base)| {
                let entries = block.pieces.iter().zip(&block.starts).zip(&block.lines);
                entries
                    .enumerate()
                    .skip(index.saturating_sub(base.index))
                    .map(move |(i, ((piece, &start), &line))| At {
                        index: base.index + i,
                        start: base.start.wrapping_add(start),
                        line: base.line.wrapping_add(line),
                        piece,
                    })
            })
    }

    /// Every piece, in order.
    pub fn iter(&self) -> impl Iterator<Item = At<'_>> + '_ {
        self.iter_from(0)
    }

    /// How many pieces, from the first, start at bytes for which `before`
    /// holds (it must hold for a prefix of them): `partition_point`.
    pub fn count_starts(&self, before: impl Fn(usize) -> bool) -> usize {
        self.count(|base| base.start, |block| &block.starts, before)
    }

    /// As [`Pieces::count_starts`], over the lines the pieces start on.
    pub fn count_lines(&self, before: impl Fn(usize) -> bool) -> usize {
        self.count(|base| base.line, |block| &block.lines, before)
    }

    fn count(
        &self,
        of_base: fn(&Base) -> usize,
        of_block: fn(&Block) -> &[usize],
        before: impl Fn(usize) -> bool,
    ) -> usize {
        let k = self.bases.partition_point(|base| before(of_base(base)));
        if k == 0 {
            return 0;
        }
        let (base, at) = (&self.bases[k - 1], of_base(&self.bases[k - 1]));
        base.index + of_block(&self.blocks[k - 1]).partition_point(|&rel| before(at.wrapping_add(rel)))
    }

    /// Replaces the pieces at `range` with `new`, and moves the pieces
    /// after them by `bytes` and `lines`.
    pub fn replace(&mut self, range: Range<usize>, new: Vec<Placed>, bytes: isize, lines: isize) {
        let added = new.len() as isize - range.len() as isize;
        if self.blocks.is_empty() {
            self.blocks.push(Arc::default());
            self.bases.push(Base::default());
        }
        let first = self.block_of(range.start);
        let mut last = self.block_of(range.end.saturating_sub(1).max(range.start));
        // A block left small takes its neighbour in, so that blocks stay
        // few whatever the edits.
        let touched = self.bases.get(last + 1).map_or(self.len, |b| b.index) - self.bases[first].index;
        if (touched as isize + added) < (BLOCK / 4) as isize && last + 1 < self.blocks.len() {
            last += 1;
        }
        let base = self.bases[first];
        let merged = self.merge(first, last);
        let block = Arc::make_mut(merged);
        let (from, to) = (range.start - base.index, range.end - base.index);
        let inserted = new.len();
        let mut starts = Vec::with_capacity(inserted);
        let mut lines_of = Vec::with_capacity(inserted);
        let pieces: Vec<Piece> = new
            .into_iter()
            .map(|placed| {
                starts.push(placed.start.wrapping_sub(base.start));
                lines_of.push(placed.line.wrapping_sub(base.line));
                placed.piece
            })
            .collect();
        block.pieces.splice(from..to, pieces);
        block.starts.splice(from..to, starts);
        block.lines.splice(from..to, lines_of);
        for start in &mut block.starts[from + inserted..] {
            *start = start.wrapping_add_signed(bytes);
        }
        for line in &mut block.lines[from + inserted..] {
            *line = line.wrapping_add_signed(lines);
        }
        self.len = self.len.wrapping_add_signed(added);
        let after = self.settle(first);
        for base in &mut self.bases[after..] {
            base.index = base.index.wrapping_add_signed(added);
            base.start = base.start.wrapping_add_signed(bytes);
            base.line = base.line.wrapping_add_signed(lines);
        }
    }

    /// The block holding piece `index` (the last block for the end).
    fn block_of(&self, index: usize) -> usize {
        self.bases.partition_point(|base| base.index <= index).saturating_sub(1)
    }

    /// Makes blocks `first..=last` one block, at `first`.
    fn merge(&mut self, first: usize, last: usize) -> &mut Arc<Block> {
        if last > first {
            let base = self.bases[first];
            let mut merged = Block::default();
            for (block, other) in self.blocks.drain(first..=last).zip(self.bases.drain(first..=last)) {
                let block = Arc::unwrap_or_clone(block);
                let (start, line) = (other.start.wrapping_sub(base.start), other.line.wrapping_sub(base.line));
                merged.starts.extend(block.starts.iter().map(|s| s.wrapping_add(start)));
                merged.lines.extend(block.lines.iter().map(|l| l.wrapping_add(line)));
                merged.pieces.extend(block.pieces);
            }
            self.blocks.insert(first, Arc::new(merged));
            self.bases.insert(first, base);
        }
        &mut self.blocks[first]
    }

    /// Puts block `k` back in shape after an edit: its base on its first
    /// piece, cut in blocks of [`BLOCK`] if it grew past two, gone if
    /// empty. Returns the index of the block after it (or them).
    fn settle(&mut self, k: usize) -> usize {
        let block = Arc::make_mut(&mut self.blocks[k]);
        if block.pieces.is_empty() {
            self.blocks.remove(k);
            self.bases.remove(k);
            return k;
        }
        let (start, line) = (block.starts[0], block.lines[0]);
        let base = &mut self.bases[k];
        base.start = base.start.wrapping_add(start);
        base.line = base.line.wrapping_add(line);
        if start != 0 || line != 0 {
            block.starts.iter_mut().for_each(|s| *s = s.wrapping_sub(start));
            block.lines.iter_mut().for_each(|l| *l = l.wrapping_sub(line));
        }
        if block.pieces.len() <= 2 * BLOCK {
            return k + 1;
        }
        let base = *base;
        let whole = std::mem::take(block);
        let parts = whole.pieces.len().div_ceil(BLOCK);
        let per = whole.pieces.len().div_ceil(parts);
        let (mut blocks, mut bases) = (Vec::with_capacity(parts), Vec::with_capacity(parts));
        let mut pieces = whole.pieces.into_iter();
        for at in (0..whole.starts.len()).step_by(per) {
            let end = (at + per).min(whole.starts.len());
            let (start, line) = (whole.starts[at], whole.lines[at]);
            blocks.push(Arc::new(Block {
                pieces: pieces.by_ref().take(end - at).collect(),
                starts: whole.starts[at..end].iter().map(|s| s.wrapping_sub(start)).collect(),
                lines: whole.lines[at..end].iter().map(|l| l.wrapping_sub(line)).collect(),
            }));
            bases.push(Base {
                index: base.index + at,
                start: base.start.wrapping_add(start),
                line: base.line.wrapping_add(line),
            });
        }
        self.blocks.splice(k..=k, blocks);
        self.bases.splice(k..=k, bases);
        k + parts
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn piece(id: u64) -> Piece {
        Piece {
            id,
            analysis: Arc::default(),
        }
    }

    /// Starts and lines as a plain list would have them.
    type Model = Vec<(u64, usize, usize)>;

    fn seen(pieces: &Pieces) -> Model {
        pieces.iter().map(|at| (at.piece.id, at.start, at.line)).collect()
    }

    /// Pieces removed one at a time (deleting records) leave few blocks,
    /// not many nearly empty ones.
    #[test]
    fn blocks_left_small_are_merged() {
        let mut pieces = Pieces::default();
        let placed = (0..5000)
            .map(|i| Placed {
                start: i,
                line: i,
                piece: piece(i as u64),
            })
            .collect();
        pieces.replace(0..0, placed, 0, 0);
        let mut random = 1u64;
        while pieces.len() > 300 {
            random = random
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let at = (random >> 33) as usize % pieces.len();
            pieces.replace(at..at + 1, Vec::new(), -1, -1);
        }
        assert!(pieces.blocks.len() <= 2, "{} blocks", pieces.blocks.len());
        assert_eq!(
            seen(&pieces).iter().map(|p| p.1).collect::<Vec<_>>(),
            (0..300).collect::<Vec<_>>()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Pieces replaced at random places (a keystroke's one, a paste's
        /// thousands, removals), some while a snapshot holds the blocks,
        /// read back like a plain list, by index, in order and by search.
        #[test]
        fn pieces_in_blocks_read_like_a_list(
            opening in 0usize..5000,
            edits in prop::collection::vec((any::<usize>(), 0usize..40, 0usize..3000, any::<bool>()), 1..30),
        ) {
            let mut next = 0u64;
            let mut fresh = |count: usize, start: usize, line: usize| -> Vec<(u64, usize, usize)> {
                (0..count).map(|i| { next += 1; (next, start + 3 * i, line + 2 * i) }).collect()
            };
            let placed = |new: &Model| -> Vec<Placed> {
                new.iter().map(|&(id, start, line)| Placed { start, line, piece: piece(id) }).collect()
            };
            let mut model: Model = fresh(opening.max(1), 0, 0);
            let mut pieces = Pieces::default();
            pieces.replace(0..0, placed(&model), 0, 0);
            let mut held = Vec::new();
            for (at, removed, count, snapshot) in edits {
                if snapshot {
                    held.push((pieces.clone(), model.clone()));
                }
                let from = at % (model.len() + 1);
                let to = (from + removed).min(model.len());
                // The new pieces sit where the old ones did; those after
                // move by what they take more or less.
                let start = model.get(from).map_or(3 * model.len(), |p| p.1);
                let line = model.get(from).map_or(2 * model.len(), |p| p.2);
                let new = fresh(count % 7 + if count > 2900 { count } else { 0 }, start, line);
                let (bytes, lines) = (3 * new.len() as isize - 3 * (to - from) as isize, 2 * new.len() as isize - 2 * (to - from) as isize);
                pieces.replace(from..to, placed(&new), bytes, lines);
                let moved: Model = model[to..].iter().map(|&(id, s, l)| (id, s.wrapping_add_signed(bytes), l.wrapping_add_signed(lines))).collect();
                model.splice(from.., new.into_iter().chain(moved));
                prop_assert_eq!(pieces.len(), model.len());
                prop_assert_eq!(seen(&pieces), model.clone());
                for probe in [0, from, to, model.len().saturating_sub(1)] {
                    if let Some(&(id, start, line)) = model.get(probe) {
                        let at = pieces.get(probe);
                        prop_assert_eq!((at.piece.id, at.start, at.line, at.index), (id, start, line, probe));
                        let later: Model = pieces.iter_from(probe).map(|a| (a.piece.id, a.start, a.line)).collect();
                        prop_assert_eq!(&later[..], &model[probe..]);
                        prop_assert_eq!(pieces.count_starts(|s| s <= start), model.partition_point(|p| p.1 <= start));
                        prop_assert_eq!(pieces.count_lines(|l| l < line), model.partition_point(|p| p.2 < line));
                    }
                }
                prop_assert!(pieces.blocks.iter().all(|b| !b.pieces.is_empty() && b.pieces.len() <= 2 * BLOCK));
                prop_assert!(pieces.blocks.len() <= model.len() / (BLOCK / 4) + 2, "{} blocks for {}", pieces.blocks.len(), model.len());
            }
            // What a snapshot held is as it was when taken.
            for (pieces, model) in held {
                prop_assert_eq!(seen(&pieces), model);
            }
        }
    }
}
