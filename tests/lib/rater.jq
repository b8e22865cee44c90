# tests/lib/rater.jq - a simulated user: the stars a clip (or highlight)
# gets from which generated event it shows.  Input: one record with t0,
# t1; $events: the stream's truth records; $like, $dislike: arrays of
# event types.  A clip shows the event it holds at least half of (the one
# it overlaps most); liked events 5 stars, disliked 1, anything else 3.
def overlap($a; $b): ([$a.t1, $b.t1] | min) - ([$a.t0, $b.t0] | max);
def shown($events):
  . as $c
  | [ $events[] | select(overlap($c; .) >= (.t1 - .t0) / 2)
      | {type, ov: overlap($c; .)} ]
  | max_by(.ov) | .type?;
def stars($events; $like; $dislike):
  shown($events) as $t
  | if $t == null then 3
    elif ($like | index($t)) != null then 5
    elif ($dislike | index($t)) != null then 1
    else 3 end;
