# chat-twitch.jq - a Twitch VOD's chat as TwitchDownloaderCLI saves it
# (chatdownload -o chat.json, JSON) into a chat log for kc-chatfeat --chat
# (docs/records.md, "Chat logs"):
#
#   jq -c -f scripts/chat-twitch.jq chat.json >chat.jsonl
#
# Each comment's content_offset_seconds is its stream time; its text is
# the message's fragments, an emote as [emote:ID:NAME].  Comments of a
# notice kind (a sub, gift or raid message: message.user_notice_params
# with a msg-id) become notices of that kind.

def text: if (.fragments | type) == "array" and (.fragments | length) > 0
	then [ .fragments[] | if .emoticon.emoticon_id
		then "[emote:\(.emoticon.emoticon_id):\(.text)]" else .text // "" end ]
	    | join("")
	else .body // "" end;

.comments[]?
| select(.content_offset_seconds != null and .content_offset_seconds >= 0)
| {t: .content_offset_seconds,
   user: (.commenter.name // .commenter.display_name // ""),
   text: (.message | text),
   type: (.message.user_notice_params["msg-id"] // "message"
	  | if . == "" then "message" else . end)}
