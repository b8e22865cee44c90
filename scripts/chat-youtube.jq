# chat-youtube.jq - YouTube's chat replay, as yt-dlp saves it
# (VIDEO.live_chat.json, with --write-subs on a stream), into a chat log
# for kc-chatfeat --chat (docs/records.md, "Chat logs"):
#
#   jq -c -f scripts/chat-youtube.jq VIDEO.live_chat.json >chat.jsonl
#
# Each input line is a replayChatItemAction; its videoOffsetTimeMsec is
# the stream time.  Text messages and Super Chats become messages (a
# custom emoji becomes [emote:ID:NAME], a standard one its character);
# new members and gifted memberships become notices (type "subscription",
# "gift").  Chat before the stream's start (a negative offset) and
# anything else (banners, polls, deletions) is left out.

def runs: [ .runs[]? | if .text then .text
	elif .emoji.isCustomEmoji then
	    "[emote:\(.emoji.emojiId):\(.emoji.shortcuts[0] // "emoji"
		| ltrimstr(":") | rtrimstr(":"))]"
	elif .emoji then (.emoji.emojiId // "")
	else "" end ] | join("");

(.replayChatItemAction // empty) as $r
| ($r.videoOffsetTimeMsec // "x" | tonumber? // empty) as $ms
| select($ms >= 0)
| $r.actions[]?.addChatItemAction.item // empty
| if .liveChatTextMessageRenderer then
	.liveChatTextMessageRenderer
	| {t: ($ms / 1000), user: .authorName.simpleText, text: (.message | runs),
	   type: "message"}
  elif .liveChatPaidMessageRenderer then
	.liveChatPaidMessageRenderer
	| {t: ($ms / 1000), user: .authorName.simpleText,
	   text: (.message // {} | runs), type: "message"}
  elif .liveChatMembershipItemRenderer then
	.liveChatMembershipItemRenderer
	| {t: ($ms / 1000), user: .authorName.simpleText,
	   text: ((.headerSubtext // {}) | runs), type: "subscription"}
  elif .liveChatSponsorshipsGiftPurchaseAnnouncementRenderer then
	.liveChatSponsorshipsGiftPurchaseAnnouncementRenderer
	| {t: ($ms / 1000),
	   user: (.header.liveChatSponsorshipsHeaderRenderer.authorName.simpleText // ""),
	   text: "", type: "gift"}
  else empty end
