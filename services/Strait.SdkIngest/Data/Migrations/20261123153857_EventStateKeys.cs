using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.SdkIngest.Data.Migrations
{
    /// <inheritdoc />
    public partial class EventStateKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "key",
                schema: "ingest",
                table: "run_state_entries",
                type: "character varying(520)",
                maxLength: 520,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(256)",
                oldMaxLength: 256);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "key",
                schema: "ingest",
                table: "run_state_entries",
                type: "character varying(256)",
                maxLength: 256,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(520)",
                oldMaxLength: 520);
        }
    }
}
