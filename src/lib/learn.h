/*
 * learn.h - ranking-quality measures for the learned model: how well a
 * list of scores agrees with the stars a user gave.  Pure functions on
 * arrays; they allocate scratch memory and report its failure as NAN.
 */
#ifndef KC_LEARN_H
#define KC_LEARN_H

#include <stddef.h>

/*
 * Spearman's rank correlation of x and y over their n pairs (ties get
 * their mean rank).  Returns a value in [-1, 1], or NAN when n < 2, when
 * either side is constant, or when memory runs out.
 */
double kc_spearman(const double *x, const double *y, size_t n);

/*
 * Normalised discounted cumulative gain of the ranking by score (best
 * first; ties broken pessimistically, lower relevance first) over the
 * top k (k = 0: all): DCG = sum (2^rel - 1) / log2(i + 2) over positions
 * i = 0, 1 ..., divided by the DCG of the ideal order.  rel >= 0 (kc uses
 * stars - 1).  Returns a value in [0, 1], or NAN when n == 0, when every
 * rel is 0, or when memory runs out.
 */
double kc_ndcg(const double *score, const double *rel, size_t n, size_t k);

/*
 * The order in which to ask for ratings: the items whose stars would teach
 * the model most first (active learning by coverage).  x holds n items of
 * d features (row-major; each column is standardised over the n items
 * here, a constant one ignored), score their scores in [0, 1] (NAN: 0),
 * known[i] nonzero for items already rated.  Greedily, the next item is
 * the unrated one that maximises its distance to the nearest item rated
 * or already chosen, times (0.5 + score): unlike what the user has
 * rated, and among such the ones likelier to be clips the user sees;
 * with nothing rated yet the best-scoring item comes first.  Ties go to
 * the lower index.  Writes the unrated items' indices into order (room
 * for n) and returns how many, or -1 when memory runs out.  At most
 * maxpick items are chosen this way (O(maxpick * n * d)); the rest
 * follow by score.
 */
long kc_informative(const double *x, size_t n, size_t d,
    const double *score, const unsigned char *known, size_t *order,
    size_t maxpick);

#endif
