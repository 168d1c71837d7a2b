package livetail

import (
	"fmt"
	"testing"
	"time"
)

// tailRate is the record rate of the console's target: a frame of a tail receiving 10,000
// records/s at 200×50 takes at most 2 ms of CPU.
const tailRate = 10_000

// benchPin is a pin record as the emulator posts it, about 600 bytes of JSON.
func benchPin(i int) string {
	return fmt.Sprintf(`{"index":%d,"unique_id":"7e53f406-9c08-44da-bfa3-8ab44fadc75c","title":"OUR FAVOURITE ROAD TRIP",`+
		`"description":"Perfect for a weekend project. Here is everything you need to know about national parks.",`+
		`"poster_name":"Kimberly Reed","follower_count":"2M","tag_list":"List Beautiful,Fun Europe Travel,Europe Travel,`+
		`Break Gold,Parks Fun,Rustic Island Getaway,Beautiful Island Getaway,Photography Fun,Road Trip",`+
		`"is_image_or_video":"image","image_src":"https://i.pinimg.com/originals/a9/fc/0c/a9fc0c62fed1fcefc4d8205f128ce74f.jpg",`+
		`"downloaded":1,"save_location":"Local save in /data/travel","category":"travel"}`, i)
}

// BenchmarkTailFrame measures one frame of the console tailing a topic at tailRate with a full
// buffer: the frame's records through Update, then the tail drawn at 200×50, pretty and raw.
func BenchmarkTailFrame(b *testing.B) {
	perFrame := int(tailRate * frame / time.Second)
	for _, pretty := range []bool{true, false} {
		name := "raw"
		if pretty {
			name = "pretty"
		}
		b.Run(name, func(b *testing.B) {
			m := opened(newFeedSource().read)
			m.pretty = pretty
			m.Update(batch(m, records(0, BufferSize, benchPin), 0))
			batches := make([][]Record, 64)
			for i := range batches {
				batches[i] = records(BufferSize+i*perFrame, perFrame, benchPin)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				m.Update(batch(m, batches[i%len(batches)], 0))
				_ = m.StatusLine(200)
				_ = m.Records(200, 48)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
			b.ReportMetric(float64(perFrame), "records/frame")
		})
	}
}
